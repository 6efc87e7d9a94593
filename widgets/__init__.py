"""The embeddable agenda widget (a dependency-free web component) and its iframe page."""
