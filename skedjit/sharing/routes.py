"""Sharing views: QR code, robots.txt."""

from flask import Blueprint

bp = Blueprint("sharing", __name__)
