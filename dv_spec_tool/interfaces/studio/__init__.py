"""`dv-spec studio`: a local diagram studio that draws and edits the design.

* `view`: the design (plus findings and positions) as a diagram model, plain data.
* `layout`: the automatic layout and the `.dv-spec/layout.json` side file.
* `server`: the loopback HTTP server; it only translates requests into calls
  of the core (`design_edit`, `validate`, `layout`, and spec/prompts when present).
* `static/`: the page (HTML, CSS and ES modules; no build step).
"""
