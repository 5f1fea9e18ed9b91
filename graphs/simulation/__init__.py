"""Simulations before go-live: the agents run on a throwaway copy of the home, against
scripted replies, and report what they would do."""
