"""The Slack adapter (slack-bolt): see adapters/slack/app.py, and docs/slack.md for setting up the app."""

from adapters.slack.app import SlackAdapter

__all__ = ["SlackAdapter"]
