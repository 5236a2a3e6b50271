"""What the HTML pages show, prepared from the models' metrics and reports: plain data for the Jinja2
templates, computed on the server so the pages need no script to show it (routes/pages.py renders them)."""
