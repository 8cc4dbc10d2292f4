"""Appointments at the ward's one-stop counter: settings, slots, bookings, staff day list."""
