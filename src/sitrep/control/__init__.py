"""Control: who holds which settlement on which day, derived from territorial events, and how far a front is
from a city."""
