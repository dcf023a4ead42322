"""Friends' answers: whether they come, and the owner's settings for them.

The blueprint lives in `routes`; the event page reads the rest, so this
package imports nothing by itself.
"""
