"""The bring list: what the owner asks friends to bring, and who brings what.

listing.py reads it (one SELECT, items joined with their claims, which the event
page uses too); forms.py holds the owner's item form and a friend's claim form;
service.py writes, under the event's answer lock (answers.service.lock_answers),
so two friends claiming the last bottle at once are served one after the other.
"""
