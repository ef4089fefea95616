"""Events: announce, edit, RSVP, calendar files and reminders (the Convene job)."""
