# quizbot image: `docker build -t quizbot .`, then run it with DATABASE_URL and DISCORD_TOKEN set
# (compose.yaml does both and starts PostgreSQL beside it).

# --- builder: wheels for every dependency in setup.cfg, so the runtime stage needs no compiler ---
FROM python:3.11-bookworm AS builder

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /build
# Only setup.cfg decides the dependencies, so source edits do not rebuild this layer.
COPY setup.cfg ./
RUN python -c "import configparser; c = configparser.ConfigParser(); c.read('setup.cfg'); print(c['options']['install_requires'])" > requirements.txt \
    && pip wheel --wheel-dir /wheels -r requirements.txt

# --- runtime: slim Python, the prebuilt wheels, then quizbot itself ---
FROM python:3.11-slim-bookworm AS runtime

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1

RUN groupadd --system --gid 10001 quizbot \
    && useradd --system --uid 10001 --gid quizbot --create-home --home-dir /home/quizbot quizbot

COPY --from=builder /wheels /wheels
RUN pip install --no-index --find-links=/wheels /wheels/*.whl && rm -rf /wheels

# quizbot/schema.sql is a symlink to ../schema.sql: copy both so it resolves while the wheel is built
# (the wheel then holds the real file), and fail the build if the installed package cannot read it.
# setup.py's build step draws the bank's SVG pictures as PNGs (resvg-py, a build requirement only);
# fail the build too if the installed package lacks one.
COPY pyproject.toml setup.cfg setup.py schema.sql /tmp/src/
COPY quizbot /tmp/src/quizbot
RUN pip install --no-deps /tmp/src \
    && rm -rf /tmp/src \
    && python -c "from quizbot.storage.schema import schema_text; assert 'CREATE TABLE' in schema_text()" \
    && python -c "from quizbot.questions.pictures import PICTURES as P; assert all(s.with_suffix('.png').is_file() for s in P.glob('*.svg'))"

USER quizbot
WORKDIR /home/quizbot

# DATABASE_URL (postgresql://user:password@host:5432/db) and DISCORD_TOKEN come from the environment.
HEALTHCHECK --interval=30s --timeout=15s --start-period=30s --retries=3 CMD ["quizbot", "health"]

CMD ["quizbot", "run"]
