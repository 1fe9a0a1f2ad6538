"""/widget.js: the built script served to any storefront, or a clear 404 when it was never built."""


def test_widget_script_is_served_cacheable_to_any_origin(app, client, tmp_path):
    (tmp_path / "static").mkdir()
    (tmp_path / "static" / "widget.js").write_text("(()=>{})();")
    app.root_path = str(tmp_path)
    answer = client.get("/widget.js", headers={"Origin": "https://shop.example.com"})
    assert answer.status_code == 200 and answer.get_data(as_text=True) == "(()=>{})();"
    assert answer.mimetype == "text/javascript"
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=300" in answer.headers["Cache-Control"] and answer.headers["ETag"]
    again = client.get("/widget.js", headers={"If-None-Match": answer.headers["ETag"]})
    assert again.status_code == 304


def test_an_unbuilt_widget_says_how_to_build_it(app, client, tmp_path):
    app.root_path = str(tmp_path)
    answer = client.get("/widget.js")
    assert answer.status_code == 404 and b"make widget" in answer.get_data()
