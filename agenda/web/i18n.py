"""Every label of the public pages in Dutch and English, and which of the two a visitor gets.

The language is ``?lang=nl|en`` when given, else the best match in ``Accept-Language``,
else Dutch. Labels are written as ``key: (Dutch, English)`` pairs, so a label cannot
exist in one language only. Dates and times are Babel's (see ``feeds.labels``).
Pure: no I/O, no web framework.
"""

from __future__ import annotations

from collections.abc import Mapping

from agenda.vocabulary import audience_labels, kind_labels

LANGUAGES = ("nl", "en")
DEFAULT = "nl"

_PAIRS: dict[str, tuple[str, str]] = {
    # frame
    "site_name": ("Regio-agenda", "Regio-agenda"),
    "tagline": ("Cultuur in Den Haag, Leiden en Delft", "Culture in The Hague, Leiden and Delft"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav_label": ("Hoofdmenu", "Main menu"),
    "nav_agenda": ("Agenda", "What's on"),
    "nav_subscribe": ("Abonneren", "Subscribe"),
    "nav_themes": ("Thema's", "Themes"),
    "nav_venues": ("Locaties", "Venues"),
    "nav_about": ("Over", "About"),
    "lang_label": ("Taal", "Language"),
    "switch_to": ("English", "Nederlands"),
    "switch_hint": ("Read this page in English", "Lees deze pagina in het Nederlands"),
    "footer": (
        "Regio-agenda verzamelt de agenda's van musea, theaters, universiteiten en "
        "citymarketing in Den Haag, Leiden en Delft.",
        "Regio-agenda collects the agendas of museums, theatres, universities and city "
        "marketing in The Hague, Leiden and Delft.",
    ),
    "footer_api": ("API voor ontwikkelaars", "API for developers"),
    # agenda page
    "agenda_title": ("Agenda", "What's on"),
    "agenda_intro": (
        "Tentoonstellingen, concerten, voorstellingen en lezingen in Den Haag, Leiden en Delft.",
        "Exhibitions, concerts, performances and lectures in The Hague, Leiden and Delft.",
    ),
    "agenda_description": (
        "Wat is er te doen in Den Haag, Leiden en Delft? Tentoonstellingen, concerten, "
        "voorstellingen, lezingen en rondleidingen van musea, theaters en universiteiten, "
        "in één agenda.",
        "What's on in The Hague, Leiden and Delft? Exhibitions, concerts, performances, "
        "lectures and tours from museums, theatres and universities, in one agenda.",
    ),
    "filters_title": ("Zoeken en filteren", "Search and filter"),
    "filters_active": ("{n} actief", "{n} active"),
    "chips_when": ("Wanneer", "When"),
    "chips_where": ("Waar", "Where"),
    "chip_today": ("Vandaag", "Today"),
    "chip_tomorrow": ("Morgen", "Tomorrow"),
    "chip_weekend": ("Dit weekend", "This weekend"),
    "chip_week": ("Deze week", "This week"),
    "on_now": ("Nu te zien", "On now"),
    "on_now_hint": (
        "Tentoonstellingen en andere programma's die nu lopen",
        "Exhibitions and other programmes running now",
    ),
    "series_daily": ("dagelijks", "daily"),
    "series_weekly": ("elke {weekday}", "every {weekday}"),
    "series_dates": ("{n} keer", "{n} dates"),
    "series_next": ("Ook op", "Also on"),
    "series_more": ("en nog {n}", "and {n} more"),
    "sold_out": ("Uitverkocht", "Sold out"),
    "field_q": ("Zoekterm", "Search for"),
    "field_from": ("Vanaf", "From"),
    "field_to": ("Tot en met", "Until"),
    "field_city": ("Plaats", "City"),
    "field_category": ("Categorie", "Category"),
    "field_theme": ("Thema", "Theme"),
    "field_audience": ("Publiek", "Audience"),
    "field_kind": ("Soort", "Type"),
    "field_free": ("Alleen gratis", "Free only"),
    "field_feed_lang": ("Taal van de feed", "Language of the feed"),
    "field_venue": ("Locatie", "Venue"),
    "field_source": ("Bron", "Source"),
    "field_cursor": ("Volgende pagina", "Next page"),
    "date_hint": ("bijvoorbeeld 2027-03-01", "for example 2027-03-01"),
    "any_city": ("Alle plaatsen", "All cities"),
    "any_category": ("Alle categorieën", "All categories"),
    "any_theme": ("Alle thema's", "All themes"),
    "any_audience": ("Iedereen", "Everyone"),
    "any_kind": ("Alle soorten", "All types"),
    "any_lang": ("Zoals deze pagina", "Same as this page"),
    "apply": ("Toon evenementen", "Show events"),
    "reset": ("Wis filters", "Clear filters"),
    "results_title": ("Evenementen", "Events"),
    "count_one": ("1 evenement gevonden", "1 event found"),
    "count_many": ("{n} evenementen gevonden", "{n} events found"),
    "no_events": ("Geen evenementen gevonden.", "No events found."),
    "more": ("Meer evenementen", "More events"),
    "first_page": ("Terug naar het begin", "Back to the start"),
    "today": ("vandaag", "today"),
    "tomorrow": ("morgen", "tomorrow"),
    "all_day": ("hele dag", "all day"),
    "running_until": ("t/m {day}", "until {day}"),
    "free": ("Gratis", "Free"),
    "cancelled": ("Geannuleerd", "Cancelled"),
    "postponed": ("Uitgesteld", "Postponed"),
    # an event's status as the review queue compares it
    "status_scheduled": ("gaat door", "going ahead"),
    "status_cancelled": ("geannuleerd", "cancelled"),
    "status_postponed": ("uitgesteld", "postponed"),
    # errors
    "error_title": ("Dat lukte niet", "That did not work"),
    "server_error_text": (
        "Er ging aan onze kant iets mis. Probeer het over een paar minuten opnieuw.",
        "Something went wrong on our side. Please try again in a few minutes.",
    ),
    "error_filter": ("Controleer ‘{field}’: {hint}.", "Please check ‘{field}’: {hint}."),
    "hint_date": (
        "gebruik een datum als 2027-03-01",
        "use a date such as 2027-03-01",
    ),
    "hint_range": (
        "die datum ligt vóór de begindatum",
        "that date is before the start date",
    ),
    "hint_choice": ("kies een van de waarden uit de lijst", "choose one of the listed values"),
    "hint_long": ("de tekst is te lang", "the text is too long"),
    "hint_cursor": (
        "deze link om verder te bladeren werkt niet meer; begin opnieuw",
        "this link to the next page no longer works; start again",
    ),
    "hint_other": ("deze waarde kan niet worden gebruikt", "this value cannot be used"),
    "not_found_title": ("Niet gevonden", "Not found"),
    "not_found_text": (
        "Deze pagina bestaat niet (meer). Misschien is het evenement verplaatst of verwijderd.",
        "This page does not exist (any more). The event may have moved or been removed.",
    ),
    "back_to_agenda": ("Terug naar de agenda", "Back to the agenda"),
    # event page
    "when": ("Wanneer", "When"),
    "where": ("Waar", "Where"),
    "price": ("Prijs", "Price"),
    "tickets": ("Kaarten bestellen", "Buy tickets"),
    "more_info": ("Meer informatie bij de organisator", "More information from the organiser"),
    "map": ("Bekijk op de kaart", "View on the map"),
    "map_suffix": ("(OpenStreetMap)", "(OpenStreetMap)"),
    "venue_link": ("Alles in {venue}", "Everything at {venue}"),
    "kind": ("Soort", "Type"),
    "audience": ("Voor", "For"),
    "categories": ("Categorieën", "Categories"),
    "accessible": ("Rolstoeltoegankelijk", "Wheelchair accessible"),
    "yes": ("ja", "yes"),
    "no": ("nee", "no"),
    "details": ("Praktisch", "Practical information"),
    "description": ("Beschrijving", "Description"),
    "add_to_calendar": ("Zet in je agenda", "Add to your calendar"),
    "download_ics": (
        "Download als .ics (Apple Agenda, Outlook, Thunderbird)",
        "Download as .ics (Apple Calendar, Outlook, Thunderbird)",
    ),
    "google_event": ("Zet in Google Agenda", "Add to Google Calendar"),
    "sources": ("Bronnen", "Sources"),
    "sources_intro": (
        "Dit evenement staat in deze agenda's:",
        "This event is listed in these agendas:",
    ),
    "source_page": ("bekijk bij de bron", "view at the source"),
    "no_source_page": ("geen eigen pagina", "no page of its own"),
    # venue and theme pages
    "address": ("Adres", "Address"),
    "upcoming": ("Komende evenementen", "Upcoming events"),
    "no_upcoming": (
        "Hier staan nog geen evenementen gepland.",
        "There are no events planned here yet.",
    ),
    "venue_feed": ("Abonneer op deze locatie", "Subscribe to this venue"),
    "all_in_agenda": ("Alles van deze locatie in de agenda", "Everything at this venue"),
    "theme_title": ("Thema: {theme}", "Theme: {theme}"),
    "theme_kicker": ("Thema", "Theme"),
    "theme_period": ("Periode", "Period"),
    "programme": ("Programma", "Programme"),
    "themes_title": ("Thema's", "Themes"),
    "themes_intro": (
        "Themajaren, festivals en campagnes in Den Haag, Leiden en Delft, met hun programma.",
        "Themed years, festivals and campaigns in The Hague, Leiden and Delft, with their "
        "programme.",
    ),
    "themes_none": ("Er zijn nu geen thema's.", "There are no themes right now."),
    "events_one": ("1 evenement", "1 event"),
    "events_many": ("{n} evenementen", "{n} events"),
    "venues_title": ("Locaties", "Venues"),
    "venues_intro": (
        "Musea, theaters, kerken en zalen in Den Haag, Leiden en Delft met hun agenda.",
        "Museums, theatres, churches and halls in The Hague, Leiden and Delft, with their "
        "programme.",
    ),
    "venues_none": ("Er zijn nog geen locaties.", "There are no venues yet."),
    "venue_description": (
        "De agenda van {venue} in {city}: tentoonstellingen, concerten, lezingen en meer.",
        "What's on at {venue} in {city}: exhibitions, concerts, lectures and more.",
    ),
    "other_places": ("Elders", "Elsewhere"),
    "theme_intro": (
        "Evenementen die bij dit thema horen.",
        "Events that belong to this theme.",
    ),
    "theme_empty": (
        "Er zijn (nog) geen evenementen met dit thema.",
        "There are no events with this theme (yet).",
    ),
    "theme_feed": ("Abonneer op dit thema", "Subscribe to this theme"),
    # subscribe page
    "subscribe_title": ("Abonneren op de agenda", "Subscribe to the agenda"),
    "subscribe_intro": (
        "Kies wat je wilt volgen en abonneer je in je eigen agenda-app of feedlezer. "
        "Wijzigingen en afgelastingen komen daar vanzelf binnen.",
        "Choose what to follow and subscribe in your own calendar app or feed reader. "
        "Changes and cancellations arrive there by themselves.",
    ),
    "choose_title": ("Wat wil je volgen?", "What do you want to follow?"),
    "make_feed": ("Maak de feed", "Make the feed"),
    "field_exhibitions": ("Tentoonstellingen", "Exhibitions"),
    "exh_span": (
        "als één item over de hele looptijd",
        "as one item for the whole run",
    ),
    "exh_daily": ("op elke dag apart", "on every day"),
    "exh_exclude": ("weglaten", "leave them out"),
    "preview_title": ("Eerstvolgende in deze feed", "Coming up in this feed"),
    "preview_empty": (
        "Deze feed is nu leeg; nieuwe evenementen komen er vanzelf in.",
        "This feed is empty now; new events will arrive by themselves.",
    ),
    "your_feed": ("Jouw feed", "Your feed"),
    "feed_count_one": (
        "Deze feed bevat nu 1 evenement in de komende twaalf maanden.",
        "This feed now holds 1 event in the coming twelve months.",
    ),
    "feed_count_many": (
        "Deze feed bevat nu {n} evenementen in de komende twaalf maanden.",
        "This feed now holds {n} events in the coming twelve months.",
    ),
    "calendar_title": ("In je agenda-app", "In your calendar app"),
    "calendar_hint": (
        "Kopieer het adres en plak het bij ‘Agenda toevoegen via URL’ of ‘Abonneren’, "
        "of gebruik een van de knoppen hieronder.",
        "Copy the address and paste it under ‘Add calendar from URL’ or ‘Subscribe’, "
        "or use one of the buttons below.",
    ),
    "ics_label": ("Adres van de iCalendar-feed", "Address of the iCalendar feed"),
    "webcal": (
        "Open in je agenda-app (Apple Agenda, Outlook, Thunderbird)",
        "Open in your calendar app (Apple Calendar, Outlook, Thunderbird)",
    ),
    "google_subscribe": ("Toevoegen aan Google Agenda", "Add to Google Calendar"),
    "readers_title": ("In een feedlezer", "In a feed reader"),
    "rss_label": ("Adres van de RSS-feed", "Address of the RSS feed"),
    "atom_label": ("Adres van de Atom-feed", "Address of the Atom feed"),
    "json_label": ("Adres van de JSON Feed", "Address of the JSON Feed"),
    "open_feed": ("Open de feed", "Open the feed"),
    "copy_button": ("Kopieer", "Copy"),
    "copied": ("Gekopieerd", "Copied"),
    "copy_failed": (
        "Kopiëren lukte niet; selecteer het adres en kopieer het zelf.",
        "Copying did not work; select the address and copy it yourself.",
    ),
    # about page
    "about_title": ("Over Regio-agenda", "About Regio-agenda"),
    "about_1": (
        "Regio-agenda is de gedeelde cultuuragenda van Den Haag (Haaglanden), Leiden "
        "(Rijnland) en Delft. Musea, theaters, universiteiten, kunstscholen en "
        "citymarketing publiceren elk hun eigen agenda, ieder in een eigen formaat.",
        "Regio-agenda is the shared cultural agenda of The Hague (Haaglanden), Leiden "
        "(Rijnland) and Delft. Museums, theatres, universities, art schools and city "
        "marketing each publish their own agenda, each in its own format.",
    ),
    "about_2": (
        "Regio-agenda leest al die agenda's, herkent hetzelfde evenement als meerdere bronnen "
        "het noemen, en maakt er één agenda van: deze website, abonneerbare feeds voor je "
        "agenda-app, een JSON-API en een widget voor websites.",
        "Regio-agenda reads all those agendas, recognises the same event when several "
        "sources list it, and makes one agenda of them: this website, feeds to subscribe to "
        "in your calendar app, a JSON API and a widget for websites.",
    ),
    "about_3": (
        "De gegevens komen van de organisatoren zelf. Klopt er iets niet, kijk dan bij de bron "
        "die op de pagina van het evenement staat.",
        "The data comes from the organisers themselves. If something is wrong, check the "
        "source listed on the event's page.",
    ),
    "sources_title": ("De bronnen", "The sources"),
    "sources_caption": (
        "De agenda's die Regio-agenda leest, met hun laatste import",
        "The agendas Regio-agenda reads, with their latest import",
    ),
    "no_sources": ("Er zijn nog geen bronnen ingesteld.", "No sources have been set up yet."),
    "col_source": ("Bron", "Source"),
    "col_city": ("Plaats", "City"),
    "col_format": ("Formaat", "Format"),
    "col_listings": ("Evenementen", "Events"),
    "col_last_import": ("Laatste import", "Latest import"),
    "col_outcome": ("Resultaat", "Outcome"),
    "outcome_ok": ("gelukt", "succeeded"),
    "outcome_not_modified": ("gelukt, niets veranderd", "succeeded, nothing changed"),
    "outcome_failed": ("mislukt", "failed"),
    "outcome_refused": (
        "geweigerd: er zouden te veel evenementen verdwijnen",
        "refused: too many events would disappear",
    ),
    "never": ("nog niet", "not yet"),
    "developers_title": ("Voor ontwikkelaars", "For developers"),
    "developers_text": (
        "De JSON-API staat onder /api; de OpenAPI-beschrijving onder /schema.",
        "The JSON API lives under /api; its OpenAPI description under /schema.",
    ),
    # partner pages, planner, review queue and source health (agenda.partners.pages)
    # partner events: "My events" and the event form (agenda.partners.event_pages)
    "pp_nav_events": ("Mijn evenementen", "My events"),
    "pe_list_title": ("Mijn evenementen", "My events"),
    "pe_list_intro": (
        "De evenementen die jouw instelling heeft ingediend en wat jullie eigen feed levert, "
        "met wat het publiek ervan ziet en waar een andere bron het anders zegt.",
        "The events your institution submitted and what your own feed delivers, with what "
        "the public sees of them and where another source says otherwise.",
    ),
    "pe_new": ("Nieuw evenement", "New event"),
    "pe_none": ("Nog geen evenementen.", "No events yet."),
    "pe_from_feed": ("uit jullie feed", "from your feed"),
    "pe_public_page": ("Openbare pagina", "Public page"),
    "pe_merged": ("Samengevoegd met {sources} in", "Merged with {sources} into"),
    "pe_conflicts": ("Een andere bron zegt het anders:", "Another source says otherwise:"),
    "pe_conflict_line": ("jullie: {ours}; {source}: {theirs}", "you: {ours}; {source}: {theirs}"),
    "pe_state_public": ("openbaar", "public"),
    "pe_state_partners": ("alleen voor partners", "partners only"),
    "pe_state_embargo": ("embargo tot {moment}", "embargoed until {moment}"),
    "pe_state_withdrawn": ("ingetrokken (getoond als afgelast)", "withdrawn (shown as cancelled)"),
    "pe_cancelled": ("afgelast", "cancelled"),
    "pe_state_title": ("Stand van zaken", "Where it stands"),
    "pe_done_created": ("Het evenement is opgeslagen.", "The event has been saved."),
    "pe_done_updated": ("De wijzigingen zijn opgeslagen.", "The changes have been saved."),
    "pe_done_withdrawn": (
        "Het evenement is ingetrokken; het blijft zichtbaar als afgelast.",
        "The event has been withdrawn; it stays visible as cancelled.",
    ),
    "pe_done_erased": ("Het evenement is verwijderd.", "The event has been deleted."),
    "pe_new_title": ("Nieuw evenement", "New event"),
    "pe_edit_title": ("Evenement bewerken", "Edit event"),
    "pe_error_title_prefix": ("Fout:", "Error:"),
    "pe_errors_title": ("Niet alles klopt", "Not everything is right"),
    "pe_error_prefix": ("Fout:", "Error:"),
    "pe_required": ("verplicht", "required"),
    "pe_choose": ("Kies…", "Choose…"),
    "pe_what": ("Wat en wanneer", "What and when"),
    "pe_where": ("Waar", "Where"),
    "pe_kind": ("Soort en publiek", "Kind and audience"),
    "pe_texts": ("Teksten", "Texts"),
    "pe_visit": ("Bezoek en kaartjes", "Visiting and tickets"),
    "pe_picture": ("Afbeelding", "Picture"),
    "pe_who_sees": ("Wie ziet het", "Who sees it"),
    "pe_f_title": ("Titel", "Title"),
    "pe_f_start": ("Begin", "Start"),
    "pe_f_end": ("Einde", "End"),
    "pe_f_all_day": ("Hele dag (alleen de datum telt)", "All day (only the date counts)"),
    "pe_all_day_hint": (
        "Voor tentoonstellingen en festivals: begin en einde zijn dan de eerste en laatste dag.",
        "For exhibitions and festivals: start and end are then the first and last day.",
    ),
    "pe_f_venue": ("Locatie", "Venue"),
    "pe_venue_hint": (
        "Typ om te zoeken in de bekende locaties, of typ een nieuwe naam.",
        "Type to search the known venues, or type a new name.",
    ),
    "pe_f_city": ("Plaats", "City"),
    "pe_f_categories": ("Categorieën", "Categories"),
    "pe_f_audience": ("Publiek", "Audience"),
    "pe_f_description": ("Beschrijving", "Description"),
    "pe_description_hint": (
        "De beschrijving in de taal waarin je schrijft; hieronder kan het per taal.",
        "The description in the language you write in; below you can give it per language.",
    ),
    "pe_f_title_nl": ("Titel in het Nederlands", "Title in Dutch"),
    "pe_f_title_en": ("Titel in het Engels", "Title in English"),
    "pe_f_description_nl": ("Beschrijving in het Nederlands", "Description in Dutch"),
    "pe_f_description_en": ("Beschrijving in het Engels", "Description in English"),
    "pe_f_url": ("Webpagina van het evenement", "The event's web page"),
    "pe_f_price": ("Prijs", "Price"),
    "pe_price_hint": ("Bijvoorbeeld: € 12,50 of gratis", "For example: € 12.50 or free"),
    "pe_f_ticket_url": ("Kaartjes (link)", "Tickets (link)"),
    "pe_f_accessible": ("Rolstoeltoegankelijk", "Wheelchair accessible"),
    "pe_accessible_unknown": ("Niet vermeld", "Not stated"),
    "pe_accessible_yes": ("Rolstoeltoegankelijk", "Wheelchair accessible"),
    "pe_accessible_no": ("Niet toegankelijk", "Not accessible"),
    "pe_f_picture": ("Afbeelding uploaden", "Upload a picture"),
    "pe_picture_hint": (
        "JPEG, PNG, WebP of GIF, hoogstens 10 MB. Wij maken er kleinere versies van.",
        "JPEG, PNG, WebP or GIF, at most 10 MB. We make smaller versions of it.",
    ),
    "pe_current_picture": ("De huidige afbeelding", "The current picture"),
    "pe_f_image": ("Of: adres van een afbeelding", "Or: a picture's address"),
    "pe_image_hint": (
        "Een https-adres; wij halen de afbeelding op en tonen onze eigen kopie.",
        "An https address; we fetch the picture and show our own copy.",
    ),
    "pe_f_visibility": ("Zichtbaarheid", "Visibility"),
    "pe_visibility_public": ("Openbaar", "Public"),
    "pe_visibility_partners": ("Alleen voor partners", "Partners only"),
    "pe_f_embargo_until": ("Embargo tot", "Embargo until"),
    "pe_embargo_hint": (
        "Leeg: meteen. Anders wordt het evenement op dit moment vanzelf openbaar.",
        "Empty: at once. Otherwise the event becomes public by itself at this moment.",
    ),
    "pe_save": ("Opslaan", "Save"),
    "pe_preview": ("Voorbeeld", "Preview"),
    "pe_preview_title": ("Voorbeeld van de openbare pagina", "Preview of the public page"),
    "pe_preview_hint": (
        "Nog niet opgeslagen. Kies Opslaan om het evenement op te slaan.",
        "Not saved yet. Choose Save to store the event.",
    ),
    "pe_end_title": ("Intrekken of verwijderen", "Withdraw or delete"),
    "pe_withdraw": ("Intrekken", "Withdraw"),
    "pe_withdraw_hint": (
        "Ingetrokken evenementen blijven zichtbaar als afgelast, zodat niemand voor een "
        "dichte deur staat.",
        "A withdrawn event stays visible as cancelled, so nobody arrives at a closed door.",
    ),
    "pe_delete": ("Verwijderen", "Delete"),
    "pe_delete_hint": (
        "Dit evenement is nooit openbaar geweest en kan dus helemaal weg.",
        "This event has never been public, so it can go altogether.",
    ),
    "pe_cannot_delete_title": ("Kan niet verwijderen", "Cannot delete"),
    "pe_cannot_delete": (
        "Dit evenement is openbaar geweest; trek het in, dan blijft het zichtbaar als afgelast.",
        "This event has been public; withdraw it instead, it then stays visible as cancelled.",
    ),
    "pe_stale_title": ("Al veranderd", "Already changed"),
    "pe_stale": (
        "Dit evenement is intussen veranderd. Laad de pagina opnieuw.",
        "This event changed meanwhile. Reload the page.",
    ),
    "pe_no_institution": (
        "De coördinatorsleutel van de server hoort bij geen instelling; log in met een "
        "account om evenementen in te dienen.",
        "The server's coordinator key belongs to no institution; sign in with an account "
        "to submit events.",
    ),
    # coordinator pages: accounts, themes, audit (agenda.partners.coordinator_pages)
    "pa_title": ("Partneraccounts", "Partner accounts"),
    "pa_intro": (
        "Elke instelling krijgt een account met een eigen API-sleutel. De sleutel is alleen "
        "direct na het aanmaken te zien; wij bewaren er alleen een vingerafdruk van.",
        "Every institution gets an account with its own API key. The key is shown only right "
        "after it is made; we keep only a fingerprint of it.",
    ),
    "pa_add_title": ("Nieuw account", "New account"),
    "pa_add": ("Account aanmaken", "Create account"),
    "pa_f_name": ("Naam", "Name"),
    "pa_name_hint": ("Bijvoorbeeld: Lakenhal marketing", "For example: Lakenhal marketing"),
    "pa_f_institution": ("Instelling (bron)", "Institution (source)"),
    "pa_f_role": ("Rol", "Role"),
    "pa_list_title": ("Accounts", "Accounts"),
    "pa_col_state": ("Stand", "State"),
    "pa_since": ("actief sinds {day}", "active since {day}"),
    "pa_revoked_on": ("ingetrokken op {day}", "revoked on {day}"),
    "pa_revoke": ("Intrekken", "Revoke"),
    "pa_key_title": ("De sleutel van {name}", "The key of {name}"),
    "pa_key_once": (
        "Kopieer deze sleutel nu en geef hem veilig door: hij wordt nooit meer getoond.",
        "Copy this key now and pass it on safely: it is never shown again.",
    ),
    "pa_done_revoked": ("Het account is ingetrokken.", "The account has been revoked."),
    "pa_done_missing": ("Dat account bestaat niet.", "That account does not exist."),
    "pa_error_name": (
        "Geef een naam (hoogstens 200 tekens).",
        "Give a name (at most 200 characters).",
    ),
    "pa_error_institution": (
        "Kies een instelling uit de lijst.",
        "Choose an institution from the list.",
    ),
    "pa_error_role": ("Kies partner of coördinator.", "Choose partner or coordinator."),
    "pt_title": ("Thema's", "Themes"),
    "pt_intro": (
        "Themajaren, festivals en campagnes: een periode met regels die bepalen welke "
        "evenementen erbij horen, plus evenementen die je er met de hand bij zet of uit haalt.",
        "Themed years, festivals and campaigns: a period with rules that decide which events "
        "belong, plus events you add or leave out by hand.",
    ),
    "pt_list_title": ("Alle thema's", "All themes"),
    "pt_none": ("Nog geen thema's.", "No themes yet."),
    "pt_new_title": ("Nieuw thema", "New theme"),
    "pt_edit_title": ("Thema {id}", "Theme {id}"),
    "pt_all": ("Alle thema's", "All themes"),
    "pt_public_page": ("Openbare pagina", "Public page"),
    "pt_names": ("Naam en beschrijving", "Name and description"),
    "pt_period": ("Periode", "Period"),
    "pt_rules": ("Regels", "Rules"),
    "pt_rules_hint": (
        "Eén per regel (of met komma's). Leeg betekent: alles. Een evenement hoort erbij als "
        "het aan elke ingevulde regel voldoet en een van de trefwoorden noemt.",
        "One a line (or comma-separated). Empty means: anything. An event belongs when it "
        "meets every rule given and names one of the keywords.",
    ),
    "pt_curated": ("Met de hand", "By hand"),
    "pt_curated_hint": (
        "Evenement-id's of bron:extern-id, één per regel; deze gaan voor de regels.",
        "Event ids or source:external-id, one a line; these beat the rules.",
    ),
    "pt_f_id": ("Id (in het adres)", "Id (in the address)"),
    "pt_id_hint": (
        "Kleine letters, cijfers en streepjes, bijv. lente-2027",
        "Lowercase letters, digits and dashes, e.g. spring-2027",
    ),
    "pt_f_name_nl": ("Naam in het Nederlands", "Name in Dutch"),
    "pt_f_name_en": ("Naam in het Engels", "Name in English"),
    "pt_f_description_nl": ("Beschrijving in het Nederlands", "Description in Dutch"),
    "pt_f_description_en": ("Beschrijving in het Engels", "Description in English"),
    "pt_f_start": ("Eerste dag", "First day"),
    "pt_f_end": ("Laatste dag", "Last day"),
    "pt_f_owner": ("Eigenaar", "Owner"),
    "pt_f_keywords": ("Trefwoorden (nl en en)", "Keywords (nl and en)"),
    "pt_f_cities": ("Plaatsen", "Cities"),
    "pt_f_venues": ("Locaties (id's)", "Venues (ids)"),
    "pt_f_categories": ("Categorieën", "Categories"),
    "pt_f_sources": ("Bronnen (id's)", "Sources (ids)"),
    "pt_f_include": ("Altijd erbij", "Always include"),
    "pt_f_exclude": ("Nooit erbij", "Never include"),
    "pt_preview": ("Toon welke evenementen erbij horen", "Show which events belong"),
    "pt_preview_title": ("Evenementen in dit thema: {n}", "Events in this theme: {n}"),
    "pt_preview_none": ("Geen openbare evenementen voldoen.", "No public events match."),
    "pt_done_saved": (
        "Het thema is opgeslagen; alle evenementen zijn opnieuw ingedeeld.",
        "The theme has been saved; every event has been sorted again.",
    ),
    "pt_error_taken": ("Dit id is al in gebruik.", "This id is already taken."),
    "pau_title": ("Logboek", "Audit log"),
    "pau_intro": (
        "Wie deed wat, wanneer: elke wijziging door partners, coördinatoren en de "
        "opdrachtregel. De nieuwste {n} die aan de filters voldoen.",
        "Who did what, when: every change by partners, coordinators and the command line. "
        "The newest {n} matching the filters.",
    ),
    "pau_who": ("Wie", "Who"),
    "pau_what": ("Wat", "What"),
    "pau_any": ("Alles", "Anything"),
    "pau_from": ("Vanaf", "From"),
    "pau_to": ("Tot en met", "Up to"),
    "pau_when": ("Wanneer", "When"),
    "pau_target": ("Waarop", "On"),
    "pau_details": ("Details", "Details"),
    "pau_none": ("Niets gevonden.", "Nothing found."),
    "pp_nav_label": ("Partnermenu", "Partner menu"),
    "pp_nav_accounts": ("Accounts", "Accounts"),
    "pp_nav_themes": ("Thema's", "Themes"),
    "pp_nav_audit": ("Logboek", "Audit log"),
    "pp_nav_planner": ("Planning", "Planner"),
    "pp_nav_review": ("Beoordelen", "Review queue"),
    "pp_nav_sources": ("Bronstatus", "Source health"),
    "pp_signed_in": ("Ingelogd als {name} ({role})", "Signed in as {name} ({role})"),
    "pp_role_partner": ("partner", "partner"),
    "pp_role_coordinator": ("coördinator", "coordinator"),
    "pp_logout": ("Uitloggen", "Sign out"),
    "pp_login_title": ("Inloggen voor partners", "Partner sign-in"),
    "pp_login_intro": (
        "Marketingteams en coördinatoren loggen in met de API-sleutel van hun instelling "
        "(die begint met ra_). De browser bewaart de sleutel niet, alleen een sessie van "
        "acht uur.",
        "Marketing teams and coordinators sign in with their institution's API key (it "
        "starts with ra_). The browser does not keep the key, only a session of eight hours.",
    ),
    "pp_login_key": ("API-sleutel", "API key"),
    "pp_login_button": ("Inloggen", "Sign in"),
    "pp_login_wrong": (
        "Deze sleutel is onbekend of ingetrokken.",
        "This key is unknown or has been revoked.",
    ),
    "pp_login_blocked": (
        "Te veel mislukte pogingen vanaf dit adres; probeer het over een minuut opnieuw.",
        "Too many failed attempts from this address; try again in a minute.",
    ),
    "pp_login_expired": (
        "Log eerst in: je sessie is verlopen of bestaat niet.",
        "Please sign in first: your session has ended or does not exist.",
    ),
    "pp_signed_out": ("Je bent uitgelogd.", "You are signed out."),
    "pp_forbidden_title": ("Geen toegang", "No access"),
    "pp_forbidden_review": (
        "Alleen coördinatoren kunnen de beoordelingslijst gebruiken.",
        "Only coordinators can use the review queue.",
    ),
    "pp_forbidden_csrf": (
        "Dit formulier is verlopen of komt niet van deze site. Laad de pagina opnieuw en "
        "probeer het nog eens.",
        "This form has expired or did not come from this site. Reload the page and try again.",
    ),
    "pp_planner_title": ("Planning", "Planner"),
    "pp_planner_intro": (
        "Het programma van de hele regio per dag, ook de evenementen onder embargo, die alleen "
        "voor partners zijn en de opties die partners namen. Tentoonstellingen en thema's "
        "lopen als balk over hun dagen. Zo zie je botsingen voordat je iets aankondigt.",
        "The whole region's programme day by day, embargoed and partner-only events and the "
        "holds partners made included. Exhibitions and themes run as bars across their days. "
        "So you spot clashes before you announce anything.",
    ),
    "pp_filters": ("Filters", "Filters"),
    "pp_apply": ("Toon", "Show"),
    "pp_period_nav": ("Periode", "Period"),
    "pp_prev_month": ("Vorige maand", "Previous month"),
    "pp_next_month": ("Volgende maand", "Next month"),
    "pp_prev_week": ("Vorige week", "Previous week"),
    "pp_next_week": ("Volgende week", "Next week"),
    "pp_today": ("Vandaag", "Today"),
    "pp_view_month": ("Maand", "Month"),
    "pp_view_week": ("Week", "Week"),
    "pp_week": ("week {n}", "week {n}"),
    "pp_col_week": ("Week", "Week"),
    "pp_month_caption": (
        "Evenementen per dag in {period}: aantallen, embargo's, botsingen en thema's",
        "Events per day in {period}: counts, embargoes, clashes and themes",
    ),
    "pp_col_week_short": ("wk", "wk"),
    "pp_theme_short": ("T", "T"),
    "pp_legend": ("Legenda", "Key"),
    "pp_legend_hidden": ("niet openbaar", "not public"),
    "pp_legend_clash": ("botsing", "clash"),
    "pp_legend_theme": ("thema", "theme"),
    "pp_events_one": ("1 evenement", "1 event"),
    "pp_events_many": ("{n} evenementen", "{n} events"),
    "pp_hidden_n": ("{n} niet openbaar", "{n} not public"),
    "pp_clash": ("Botsing: {category} in {city}", "Clash: {category} in {city}"),
    "pp_clash_mark": ("botsing", "clash"),
    "pp_theme_mark": ("Thema: {name}", "Theme: {name}"),
    "pp_by_category": ("Per categorie", "By category"),
    "pp_by_audience": ("Per publiek", "By audience"),
    "pp_no_category": ("zonder categorie", "no category"),
    "pp_no_events_day": ("Geen evenementen.", "No events."),
    "pp_embargo_until": ("embargo tot {moment}", "embargo until {moment}"),
    "pp_partners_only": ("alleen voor partners", "partners only"),
    "pp_count": (
        "{n} evenementen in deze selectie, waarvan {hidden} nog niet openbaar.",
        "{n} events in this selection, {hidden} of them not public yet.",
    ),
    "pp_themes_in_period": ("Thema's in deze periode", "Themes in this period"),
    "pp_export": ("Exporteren", "Export"),
    "pp_export_intro": (
        "De selectie hierboven (deze periode met de filters), embargo's inbegrepen. Deel die "
        "alleen met partners.",
        "The selection above (this period with its filters), embargoes included. Share it "
        "with partners only.",
    ),
    "pp_export_csv": ("CSV voor Excel (met ;)", "CSV for Dutch Excel (with ;)"),
    "pp_export_ics": ("Download als iCalendar (.ics)", "Download as iCalendar (.ics)"),
    "pp_ics_title": (
        "Regio-agenda planning (vertrouwelijk)",
        "Regio-agenda planner (confidential)",
    ),
    "pp_check_title": ("Botsingscheck", "Clash check"),
    "pp_check_intro": (
        "Wat concurreert met een evenement dat je plant? Kies een datum en als je wilt een "
        "tijd, plaats en categorie.",
        "What competes with an event you are planning? Choose a date and, if you like, a "
        "time, city and category.",
    ),
    "pp_check_time_hint": (
        "bijvoorbeeld 20:00; leeg voor de hele dag",
        "for example 20:00; empty for the whole day",
    ),
    "pp_check_button": ("Controleer", "Check"),
    "pp_check_caption": (
        "Concurrerende evenementen, de sterkste concurrent eerst",
        "Competing events, the strongest competitor first",
    ),
    "pp_check_none": ("Geen concurrerende evenementen gevonden.", "No competing events found."),
    "pp_col_score": ("Score", "Score"),
    "pp_col_event": ("Evenement", "Event"),
    "pp_col_when": ("Wanneer", "When"),
    "pp_col_where": ("Waar", "Where"),
    "pp_col_why": ("Waarom", "Why"),
    "field_date": ("Datum", "Date"),
    "field_view": ("Weergave", "View"),
    "field_check_date": ("Datum", "Date"),
    "field_check_time": ("Tijd", "Time"),
    "field_check_city": ("Plaats", "City"),
    "field_check_category": ("Categorie", "Category"),
    "pp_review_title": ("Beoordelen", "Review queue"),
    "pp_review_intro": (
        "Paren die misschien hetzelfde evenement zijn en waarover de regels niet konden "
        "beslissen. Voeg samen, houd apart of maak een vermelding los. Elke beslissing blijft "
        "gelden bij latere imports en komt in het logboek.",
        "Pairs that may be the same event, where the rules could not decide. Merge them, keep "
        "them apart, or split a listing off. Every decision holds for later imports and is "
        "written to the audit log.",
    ),
    "pp_pairs_title": ("Mogelijke dubbelingen", "Possible duplicates"),
    "pp_conflicts_title": (
        "Partners die een andere bron tegenspreken",
        "Partners who disagree with another source",
    ),
    "pp_conflicts_intro": (
        "Een partner heeft een evenement ingediend dat samenvalt met dat van een andere bron, "
        "maar ze verschillen. De eigen inzending van een instelling gaat voor haar eigen feed; "
        "anders gaat de bron van de locatie zelf voor.",
        "A partner submitted an event that is the same happening as another source's, but "
        "they differ. An institution's own submission wins over its own feed; otherwise the "
        "venue's own source wins.",
    ),
    "pp_conflicts_none": ("Geen tegenstrijdigheden.", "No disagreements."),
    "pp_col_field": ("Wat", "What"),
    "pp_col_partner": ("Partner zegt", "Partner says"),
    "pp_col_other": ("Andere bron zegt", "Other source says"),
    "pp_field_start": ("Begin", "Start"),
    "pp_field_venue": ("Locatie", "Venue"),
    "pp_field_title": ("Titel", "Title"),
    "pp_field_status": ("Status", "Status"),
    "pp_pairs_none": (
        "Er wachten geen paren op een beslissing.",
        "No pairs are waiting for a decision.",
    ),
    "pp_pair_heading": ("Paar {n}, score {score}", "Pair {n}, score {score}"),
    "pp_event_side": ("Evenement {id}", "Event {id}"),
    "pp_in_pair": ("deze vermelding hoort bij het paar", "this listing is part of the pair"),
    "pp_merge": ("Samenvoegen", "Merge"),
    "pp_apart": ("Apart houden", "Keep apart"),
    "pp_split": ("Losmaken", "Split off"),
    "pp_more_pairs": ("En nog {n} paren.", "And {n} more pairs."),
    "pp_held_title": ("Tegengehouden imports", "Held-back imports"),
    "pp_held_intro": (
        "Deze bronnen gaven een antwoord waardoor veel evenementen zouden verdwijnen; dat is "
        "tegengehouden. Bevestig alleen als de bron echt zo veel kleiner is geworden.",
        "These sources gave an answer that would make many events disappear, so it was held "
        "back. Confirm only if the source really has become that much smaller.",
    ),
    "pp_held_none": ("Er zijn geen tegengehouden imports.", "No imports are held back."),
    "pp_confirm": ("Bevestigen en toepassen", "Confirm and apply"),
    "pp_not_configured": (
        "Deze bron staat niet in het bronnenbestand van deze server.",
        "This source is not in this server's sources file.",
    ),
    "pp_done_merged": ("Samengevoegd.", "Merged."),
    "pp_done_apart": ("Apart gehouden.", "Kept apart."),
    "pp_done_split": ("Losgemaakt.", "Split off."),
    "pp_done_confirmed": (
        "Bevestigd: de import is toegepast.",
        "Confirmed: the import was applied.",
    ),
    "pp_done_failed_confirm": (
        "De import lukte niet; zie de bronstatus.",
        "The import did not succeed; see source health.",
    ),
    "pp_done_busy": (
        "Er loopt al een import van deze bron; probeer het zo opnieuw.",
        "An import of this source is already running; try again shortly.",
    ),
    "pp_done_stale": (
        "Dat kon niet meer: de gegevens zijn intussen veranderd.",
        "That was no longer possible: the data changed in the meantime.",
    ),
    "pp_done_unknown_source": (
        "Die bron staat niet in het bronnenbestand van deze server.",
        "That source is not in this server's sources file.",
    ),
    "pp_merged_into": ("Nu evenement {id}.", "Now event {id}."),
    "pp_sources_title": ("Bronstatus", "Source health"),
    "pp_sources_intro": (
        "Voor de webteams van de instellingen: komt jullie agenda goed binnen? Per bron de "
        "laatste import, fouten in gewone woorden, het aantal evenementen per import, de "
        "volgende import en de problemen per regel.",
        "For the institutions' web teams: is your agenda coming through? Per source the "
        "latest import, errors in plain words, the listings per import, the next import and "
        "the problems per item.",
    ),
    "pp_last_success": ("Laatst gelukt", "Last success"),
    "pp_last_error": ("Laatste fout", "Last error"),
    "pp_last_outcome": ("Laatste import", "Latest import"),
    "pp_next_run": ("Volgende import", "Next import"),
    "pp_listings_now": ("Evenementen nu", "Listings now"),
    "pp_no_error": ("geen", "none"),
    "pp_not_scheduled": ("niet ingepland", "not scheduled"),
    "pp_unmapped": ("Onbekende categorieën", "Unmapped categories"),
    "pp_unmapped_count": ("{n} evenementen", "{n} events"),
    "pp_technical": ("technisch", "technical"),
    "pp_trend_caption": (
        "Evenementen per import van {name}, oudste eerst",
        "Listings per import of {name}, oldest first",
    ),
    "pp_col_import": ("Import", "Import"),
    "pp_col_count": ("Evenementen", "Listings"),
    "pp_problems_title": ("Problemen bij de laatste import", "Problems in the latest import"),
    "pp_problems_none": (
        "Geen problemen bij de laatste import.",
        "No problems in the latest import.",
    ),
    "pp_problems_more": (
        "{n} problemen in totaal; de eerste {shown} staan hier.",
        "{n} problems in all; the first {shown} are shown here.",
    ),
    "pp_severity_error": ("fout", "error"),
    "pp_severity_warning": ("waarschuwing", "warning"),
    "pp_err_timeout": ("de bron antwoordde niet op tijd", "the source did not answer in time"),
    "pp_err_tls": (
        "de beveiligde verbinding lukte niet (certificaat)",
        "the secure connection failed (certificate)",
    ),
    "pp_err_unreachable": ("de bron was niet bereikbaar", "the source could not be reached"),
    "pp_err_gone": ("het adres bestaat niet (meer)", "the address does not exist (any more)"),
    "pp_err_denied": ("de bron weigerde de toegang", "the source refused access"),
    "pp_err_server": ("de server van de bron gaf een fout", "the source's server had an error"),
    "pp_err_format": (
        "het antwoord was niet in het verwachte formaat",
        "the answer was not in the expected format",
    ),
    "pp_err_internal": ("een fout in Regio-agenda zelf", "an error in Regio-agenda itself"),
    "pp_err_other": ("de import mislukte", "the import failed"),
    "pp_outcome_ok": ("gelukt", "succeeded"),
    "pp_outcome_not_modified": ("gelukt, niets veranderd", "succeeded, nothing changed"),
    "pp_outcome_failed": ("mislukt", "failed"),
    "pp_outcome_refused": (
        "tegengehouden: ziet er verdacht uit; wacht tot de bron herstelt of een coördinator "
        "bevestigt",
        "held back: looks suspicious, waiting for the source to recover or a coordinator to "
        "confirm",
    ),
    # planner: titles, bands, levels, holds and exports (agenda.partners.planner_*)
    "pp_nav_holds": ("Opties", "Holds"),
    "pp_untimed": ("Opties zonder tijd", "Holds without a time"),
    "pp_more": ("+{n} meer", "+{n} more"),
    "pp_more_bands": ("+{n} meer die deze week lopen", "+{n} more running this week"),
    "pp_bands_label": ("Loopt meerdere dagen", "Running for several days"),
    "pp_key_span": ("tentoonstelling of meerdaags", "exhibition or multi-day"),
    "pp_level_strong": ("sterk", "strong"),
    "pp_level_moderate": ("matig", "moderate"),
    "pp_level_light": ("licht", "light"),
    "pp_clash_level": (
        "Botsing ({level}): {category} in {city}",
        "Clash ({level}): {category} in {city}",
    ),
    "pp_clash_with": ("botst met {titles}", "clashes with {titles}"),
    "pp_col_level": ("Botsing", "Clash"),
    "pp_hold_count": ("Daarnaast {n} optie(s) van partners.", "Also {n} hold(s) by partners."),
    "pp_check_hold_link": (
        "Zelf een datum vastleggen? Neem een optie.",
        "Pencil in a date yourself? Make a hold.",
    ),
    "pp_export_xlsx": ("Excel (.xlsx), per thema een tabblad", "Excel (.xlsx), a sheet per theme"),
    "pp_export_programme": ("Programma om te printen (A4)", "Printable programme (A4)"),
    "pp_export_email": (
        "Programma voor een nieuwsbrief (HTML)",
        "Programme for a newsletter (HTML)",
    ),
    "pp_export_rfc": ("CSV met komma's (RFC 4180)", "CSV with commas (RFC 4180)"),
    "x_public": ("openbaar", "public"),
    "x_embargo": ("embargo", "embargo"),
    "x_col_date": ("datum", "date"),
    "x_col_start": ("begintijd", "start time"),
    "x_col_end_date": ("einddatum", "end date"),
    "x_col_end": ("eindtijd", "end time"),
    "x_col_title": ("titel", "title"),
    "x_col_venue": ("locatie", "venue"),
    "x_col_city": ("plaats", "city"),
    "x_col_categories": ("categorieën", "categories"),
    "x_col_audience": ("publiek", "audience"),
    "x_col_visibility": ("zichtbaarheid", "visibility"),
    "x_col_embargo_until": ("embargo tot", "embargo until"),
    "x_col_url": ("link", "link"),
    "x_hold_day": ("datum", "date"),
    "x_hold_time": ("tijd", "time"),
    "x_hold_category": ("categorie", "category"),
    "x_hold_city": ("plaats", "city"),
    "x_hold_audience": ("publiek", "audience"),
    "x_hold_title": ("werktitel", "working title"),
    "x_hold_partner": ("van", "by"),
    "x_hold_expires": ("vervalt", "expires"),
    "hold_sheet": ("Opties", "Holds"),
    # the programme (print and e-mail)
    "prog_title": ("Programma {period}", "Programme {period}"),
    "prog_week": ("Week {n}: {first} – {last}", "Week {n}: {first} – {last}"),
    "prog_empty": ("Geen evenementen in deze selectie.", "No events in this selection."),
    "prog_intro": (
        "Het programma van de selectie in de planning, per week. Druk het af met de printfunctie "
        "van je browser (A4), of gebruik de versie voor een nieuwsbrief.",
        "The programme of the planner's selection, by week. Print it with your browser's print "
        "command (A4), or use the newsletter version.",
    ),
    "prog_hidden": (
        "Let op: {n} evenement(en) hierin zijn nog niet openbaar.",
        "Note: {n} event(s) in it are not public yet.",
    ),
    "prog_back": ("Terug naar de planning", "Back to the planner"),
    "prog_email_link": ("Versie voor een nieuwsbrief", "Newsletter version"),
    "prog_more": ("Meer informatie", "More information"),
    # holds (agenda.partners.holds_pages)
    "hold_label": ("Optie", "Hold"),
    "hold_by": ("optie van {who}", "hold by {who}"),
    "holds_title": ("Opties op data", "Holds on dates"),
    "holds_intro": (
        "Neem een optie op een datum voordat er een evenement is: ‘wij plannen hier een "
        "première’. Alle partners zien je optie in de planning en de botsingscheck telt haar "
        "mee. Een optie vervalt op haar vervaldatum, wordt een evenement, of je haalt haar weg.",
        "Pencil in a date before there is an event: ‘we plan a premiere here’. Every partner "
        "sees your hold in the planner and the clash check counts it. A hold expires on its "
        "expiry date, becomes an event, or you remove it.",
    ),
    "holds_form_title": ("Nieuwe optie", "New hold"),
    "field_hold_day": ("Datum", "Date"),
    "field_hold_time": ("Tijd (niet verplicht)", "Time (optional)"),
    "field_hold_category": ("Categorie", "Category"),
    "field_hold_city": ("Plaats", "City"),
    "field_hold_audience": ("Publiek (niet verplicht)", "Audience (optional)"),
    "field_hold_title": ("Werktitel (niet verplicht)", "Working title (optional)"),
    "field_hold_expires": ("Vervalt op (niet verplicht)", "Expires on (optional)"),
    "hold_expires_hint": (
        "Uiterlijk de datum zelf; leeg laten is de datum zelf.",
        "At the latest the date itself; left empty, the date itself.",
    ),
    "hold_choose": ("Kies…", "Choose…"),
    "hold_save": ("Optie opslaan", "Save hold"),
    "holds_mine": ("Jullie opties", "Your holds"),
    "holds_others": ("Opties van andere partners", "Other partners' holds"),
    "holds_none": ("Geen opties.", "No holds."),
    "hold_make_event": ("Maak er een evenement van", "Make it an event"),
    "hold_remove": ("Weghalen", "Remove"),
    "hold_expires": ("vervalt {day}", "expires {day}"),
    "hold_done_created": ("Optie opgeslagen.", "Hold saved."),
    "hold_done_removed": ("Optie weggehaald.", "Hold removed."),
    "hold_done_stale": (
        "Die optie bestaat niet meer of is niet van jullie.",
        "That hold no longer exists or is not yours.",
    ),
    "hold_err_day": ("Kies een datum vanaf vandaag.", "Choose a date from today on."),
    "hold_err_time": (
        "Geef de tijd als UU:MM, bijvoorbeeld 20:00.",
        "Give the time as HH:MM, for example 20:00.",
    ),
    "hold_err_category": ("Kies een categorie.", "Choose a category."),
    "hold_err_city": ("Kies een plaats in de regio.", "Choose a city in the region."),
    "hold_err_audience": ("Kies een publiek uit de lijst.", "Choose an audience from the list."),
    "hold_err_title": (
        "De werktitel kan zo niet worden gebruikt.",
        "The working title cannot be used like this.",
    ),
    "hold_err_expires": (
        "De vervaldatum ligt tussen vandaag en de datum zelf.",
        "The expiry date lies between today and the date itself.",
    ),
    # the review queue side by side (agenda.partners.review_pages)
    "rv_verdict_high": ("waarschijnlijk hetzelfde evenement", "probably the same event"),
    "rv_verdict_mid": ("misschien hetzelfde evenement", "possibly the same event"),
    "rv_verdict_low": ("twijfelgeval", "a doubtful case"),
    "rv_pair_heading": ("Paar {n}: {verdict}", "Pair {n}: {verdict}"),
    "rv_score": ("overeenkomst {p}%", "{p}% alike"),
    "rv_side_a": ("Links", "Left"),
    "rv_side_b": ("Rechts", "Right"),
    "rv_field": ("Veld", "Field"),
    "rv_differs": ("verschilt", "differs"),
    "rv_compare_caption": (
        "{heading}: de twee vermeldingen naast elkaar",
        "{heading}: the two listings side by side",
    ),
    "rv_conflict_heading": ("Tegenstrijdigheid {n}: {field}", "Disagreement {n}: {field}"),
    "rv_members": ("Vermeldingen in dit evenement", "Listings in this event"),
    "rv_title_alike": ("titels lijken {p}% op elkaar", "titles {p}% alike"),
    "pp_field_source": ("Bron", "Source"),
    "pp_field_url": ("Link", "Link"),
    "pp_field_description": ("Beschrijving", "Description"),
    "pp_field_city": ("Plaats", "City"),
}

_CITIES: dict[str, tuple[str, str]] = {
    "Den Haag": ("Den Haag", "The Hague"),
    "Leiden": ("Leiden", "Leiden"),
    "Delft": ("Delft", "Delft"),
}
_LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "nl": ("Nederlands", "Dutch"),
    "en": ("Engels", "English"),
}
CITIES = tuple(_CITIES)


def _pick(pairs: Mapping[str, tuple[str, str]], lang: str) -> dict[str, str]:
    index = LANGUAGES.index(lang)
    return {key: pair[index] for key, pair in pairs.items()}


LABELS: dict[str, dict[str, str]] = {lang: _pick(_PAIRS, lang) for lang in LANGUAGES}
# Kinds and audiences are the vocabulary's (agenda/data/vocabulary.toml), as categories.
KIND_NAMES: dict[str, dict[str, str]] = {lang: kind_labels(lang) for lang in LANGUAGES}
AUDIENCE_NAMES: dict[str, dict[str, str]] = {lang: audience_labels(lang) for lang in LANGUAGES}
CITY_NAMES: dict[str, dict[str, str]] = {lang: _pick(_CITIES, lang) for lang in LANGUAGES}
LANGUAGE_NAMES: dict[str, dict[str, str]] = {
    lang: _pick(_LANGUAGE_NAMES, lang) for lang in LANGUAGES
}


def labels(lang: str) -> dict[str, str]:
    return LABELS[lang if lang in LANGUAGES else DEFAULT]


def city_name(city: str | None, lang: str) -> str:
    """``Den Haag`` is ``The Hague`` in English; other cities keep their name."""
    if not city:
        return ""
    return CITY_NAMES[lang].get(city, city)


def kind_name(kind: str | None, lang: str) -> str:
    return KIND_NAMES[lang].get(kind or "", kind or "")


def audience_name(audience: str, lang: str) -> str:
    return AUDIENCE_NAMES[lang].get(audience, audience)


def standing(name: str) -> str:
    """A name standing on its own (an option, a checkbox, a table value) starts with a
    capital; inside a sentence it keeps its lower case ("voor gezinnen")."""
    return name[:1].upper() + name[1:]


def parse_accept_language(header: str | None) -> list[str]:
    """Primary language tags by preference (``q`` descending, header order on ties)."""
    if not header:
        return []
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        tag = tag.strip().lower()
        if not tag:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality > 0:
            ranked.append((-quality, position, tag.split("-")[0]))
    return [tag for _, _, tag in sorted(ranked)]


def negotiate(query_lang: str | None, accept_language: str | None) -> tuple[str, bool]:
    """(language, whether the address chose it): ``?lang=`` first, then Accept-Language."""
    if query_lang and query_lang.lower() in LANGUAGES:
        return query_lang.lower(), True
    for tag in parse_accept_language(accept_language):
        if tag in LANGUAGES:
            return tag, False
        if tag == "*":
            break
    return DEFAULT, False
