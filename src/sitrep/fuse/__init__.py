"""Fusion: many reports of one happening (from one or many documents) into one event, with every source and
figure kept."""
