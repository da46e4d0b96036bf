"""The web view: boards, profiles, live games and the admin status page, served by aiohttp.

It reads what storage keeps and what the running bot reports through the callables in its
`WebContext`; it never imports disnake and never calls Discord. `server.build_app` assembles the
pages (each a module with `add_routes(app)`), the middlewares of `guard.py` and the templates.
"""
