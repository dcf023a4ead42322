"""Email: invitations to an event, notices when it changes, and the owner's receipt.

The blueprint lives in `routes`; the event views use `notices`, so this package
imports nothing by itself.
"""
