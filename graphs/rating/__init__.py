"""The agent's lead rating (hot, warm, cold) from fit, intent, recency and engagement."""
