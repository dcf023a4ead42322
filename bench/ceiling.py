"""The framework's ceiling: a bare Flask app returning a short string."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello():
    return "Hello, friends!"
