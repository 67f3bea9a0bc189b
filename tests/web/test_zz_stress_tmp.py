from .test_pages import album, PARIS, BUS, CHELSEA  # noqa
from .helpers import Api

def test_stress(album):
    page = album.page
    album.api.wait_processed(list(album.ids.values()))
    routes = ["#/", f"#/photo/{album.ids[PARIS]}", "#/albums", "#/map", f"#/photo/{album.ids[BUS]}", "#/questions",
              "#/search?q=bus", "#/map?place=Paris", f"#/photo/{album.ids[CHELSEA]}", "#/upload"]
    for i in range(6):
        for r in routes:
            album.go(r)
            page.wait_for_timeout(30 * (i % 3))
    page.wait_for_timeout(1500)
    album.watched.assert_clean()
