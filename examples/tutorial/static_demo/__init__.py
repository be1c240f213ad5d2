"""The home page of mysite, and its stylesheet."""
