"""The email channel: settings, outbound messages, the outbox, delivery, and inbound import.

- `settings`: `MailSettings`, how outbound mail leaves (read from the environment).
- `message`: the outbound message: Message-IDs, thread references, MIME, addresses.
- `outbox`: the outbox state machine: enqueue, deliver due rows, settle crashes, report.
- `smtp_delivery`: the transmit step: the SMTP conversation, or an .eml file.
- `inbound`: importing replies and bounces and matching each to its lead.
- `inbound_parsing`: reading one inbound message: body, headers, bounce and auto-reply facts.
"""
