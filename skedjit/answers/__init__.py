"""Friends' answers: the rules (capacity, closing), the form, and the secret that keeps one.

No views here: the event page shows the form and the answers, and the rsvps
blueprint takes what friends post.
"""
