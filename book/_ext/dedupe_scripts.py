"""Drop repeated <script> tags from every page.

With Sphinx 7.4, inline scripts that sphinx-thebe and sphinx-togglebutton register are
written twice into each page; the second `const THEBE_JS_URL` is a console error.
"""


def _dedupe(app, pagename, templatename, context, doctree):
    seen, unique = set(), []
    for script in context.get("script_files", []):
        key = (script.filename or "", tuple(sorted(script.attributes.items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    context["script_files"][:] = unique


def setup(app):
    app.connect("html-page-context", _dedupe, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
