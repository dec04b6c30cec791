"""The rules of calls, once: every page, the API, the CLI, the worker and the demo call these.

Import from the submodules (``calls.services.requests``, ``.scheduling``, ``.interpreters``,
``.invitations``, ``.package``, ``.actions``, ``.ranking``, ``.gate``); ``common`` holds what they
share (the event helper, the row lock, a principal's call settings)."""
