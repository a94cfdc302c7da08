T = {'A parent has to agree first (see “Consent” on this page).': 'Zuerst muss ein Elternteil zustimmen (siehe „Einwilligung“ auf dieser Seite).', 'Saved.': 'Gespeichert.'}
