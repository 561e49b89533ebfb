"""Training and evaluation: code that never runs when Sitrep reads news. `evaluate` scores extraction against
gold data; the training half of the event classifier lives here too."""
