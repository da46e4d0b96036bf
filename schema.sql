-- quizbot schema. Idempotent: applying it again changes nothing. Every statement is unqualified,
-- so the schema lands in whatever search_path the connection has (tests use one schema each).
-- Bump schema_version.version below whenever this file changes meaning.

CREATE TABLE IF NOT EXISTS schema_version (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    integer NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- People, known across guilds.
CREATE TABLE IF NOT EXISTS users (
    user_id    bigint PRIMARY KEY,
    username   text NOT NULL DEFAULT '',
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Per-guild progression: totals, XP, level and the daily streak.
CREATE TABLE IF NOT EXISTS guild_members (
    guild_id        bigint NOT NULL,
    user_id         bigint NOT NULL,
    points          bigint NOT NULL DEFAULT 0 CHECK (points >= 0),
    correct         integer NOT NULL DEFAULT 0 CHECK (correct >= 0),
    wrong           integer NOT NULL DEFAULT 0 CHECK (wrong >= 0),
    quizzes         integer NOT NULL DEFAULT 0 CHECK (quizzes >= 0),
    xp              bigint NOT NULL DEFAULT 0 CHECK (xp >= 0),
    level           integer NOT NULL DEFAULT 1 CHECK (level >= 1),
    current_streak  integer NOT NULL DEFAULT 0 CHECK (current_streak >= 0),
    best_streak     integer NOT NULL DEFAULT 0 CHECK (best_streak >= 0),
    last_played_day date,
    PRIMARY KEY (guild_id, user_id)
);
-- Rank in guild (user statistics) walks this index.
CREATE INDEX IF NOT EXISTS guild_members_rank_idx ON guild_members (guild_id, points DESC);
-- A user's guilds (user statistics across guilds).
CREATE INDEX IF NOT EXISTS guild_members_user_idx ON guild_members (user_id);

CREATE TABLE IF NOT EXISTS guild_settings (
    guild_id   bigint PRIMARY KEY,
    settings   jsonb NOT NULL DEFAULT '{}'::jsonb,
    updated_at timestamptz NOT NULL DEFAULT now()
);
-- The language the guild's channels speak (a shipped locale, e.g. 'de'); NULL: the guild's own
-- preferred locale. A column of its own, so the channel side reads it without the settings document.
ALTER TABLE guild_settings ADD COLUMN IF NOT EXISTS language text;

-- Finished quiz runs (group trivia and solo study).
CREATE TABLE IF NOT EXISTS quiz_runs (
    run_id         uuid PRIMARY KEY,
    guild_id       bigint NOT NULL,
    channel_id     bigint NOT NULL,
    host_id        bigint NOT NULL,
    topic          text NOT NULL,
    category       text NOT NULL,
    difficulty     text NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    question_count integer NOT NULL CHECK (question_count BETWEEN 1 AND 20),
    participants   integer NOT NULL DEFAULT 0 CHECK (participants >= 0),
    outcome        text NOT NULL CHECK (outcome IN ('finished', 'stopped', 'expired')),
    started_at     timestamptz NOT NULL,
    finished_at    timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS quiz_runs_guild_idx ON quiz_runs (guild_id, finished_at DESC);
CREATE INDEX IF NOT EXISTS quiz_runs_host_guild_idx ON quiz_runs (host_id, guild_id);

-- One row per answer. The primary key makes a replayed batch a no-op.
CREATE TABLE IF NOT EXISTS answers (
    run_id         uuid NOT NULL,
    question_index smallint NOT NULL CHECK (question_index >= 0),
    user_id        bigint NOT NULL,
    guild_id       bigint NOT NULL,
    channel_id     bigint NOT NULL,
    category       text NOT NULL,
    difficulty     text NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    correct        boolean NOT NULL,
    points         integer NOT NULL CHECK (points >= 0),
    answered_at    timestamptz NOT NULL,
    PRIMARY KEY (run_id, question_index, user_id)
);
-- Favourite category and recent activity per user.
CREATE INDEX IF NOT EXISTS answers_user_idx ON answers (user_id, guild_id) INCLUDE (category, correct);

-- Leaderboard rollups, maintained in the answer write's transaction.
-- scope_id: a guild id, or 0 for global. category: a category, or '*' for all.
-- period: d(ay) / w(eek) / m(onth) / a(ll time); period_start: the UTC day, ISO week's Monday,
-- month's first day, or 1970-01-01 for all time; s(eason): see seasons below.
CREATE TABLE IF NOT EXISTS leaderboard_rollups (
    scope_id     bigint NOT NULL,
    category     text NOT NULL,
    period       "char" NOT NULL CHECK (period IN ('d', 'w', 'm', 'a', 's')),
    period_start date NOT NULL,
    user_id      bigint NOT NULL,
    points       bigint NOT NULL DEFAULT 0,
    correct      integer NOT NULL DEFAULT 0,
    wrong        integer NOT NULL DEFAULT 0,
    quizzes      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (scope_id, category, period, period_start, user_id)
);
-- A leaderboard is one walk down this index: top N, no sort, no aggregate.
CREATE INDEX IF NOT EXISTS leaderboard_rollups_rank_idx
    ON leaderboard_rollups (scope_id, category, period, period_start, points DESC, user_id);

CREATE TABLE IF NOT EXISTS achievements (
    achievement_id text PRIMARY KEY,
    name           text NOT NULL,
    description    text NOT NULL
);

CREATE TABLE IF NOT EXISTS user_achievements (
    guild_id       bigint NOT NULL,
    user_id        bigint NOT NULL,
    achievement_id text NOT NULL REFERENCES achievements (achievement_id),
    granted_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id, achievement_id)
);
CREATE INDEX IF NOT EXISTS user_achievements_recent_idx
    ON user_achievements (user_id, granted_at DESC);

-- Bank questions a guild has already seen, so it gets no repeats until a category runs dry.
CREATE TABLE IF NOT EXISTS asked_questions (
    guild_id    bigint NOT NULL,
    category    text NOT NULL,
    question_id text NOT NULL,
    asked_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, category, question_id)
);

-- Packs a guild's admins uploaded; only that guild sees them. The body is the validated YAML.
CREATE TABLE IF NOT EXISTS guild_packs (
    guild_id       bigint NOT NULL,
    pack_id        text NOT NULL,
    name           text NOT NULL,
    body           text NOT NULL CHECK (octet_length(body) <= 262144),
    question_count integer NOT NULL CHECK (question_count > 0),
    added_by       bigint NOT NULL,
    added_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, pack_id)
);

-- Fencing tokens: every new session and every claim takes the next value, so a larger epoch is
-- always the more recent owner and a stale owner's write can be refused.
CREATE SEQUENCE IF NOT EXISTS session_epochs;

-- Whole-session snapshots, so a game survives a restart. owner + epoch fence out stale writers.
CREATE TABLE IF NOT EXISTS session_snapshots (
    guild_id   bigint NOT NULL,
    channel_id bigint NOT NULL,
    owner      text NOT NULL,
    epoch      bigint NOT NULL CHECK (epoch >= 0),
    state      bytea NOT NULL,  -- the session as orjson bytes: cheaper to send than jsonb
    updated_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    PRIMARY KEY (guild_id, channel_id)
);
CREATE INDEX IF NOT EXISTS session_snapshots_expiry_idx ON session_snapshots (expires_at);
-- lz4 compresses a snapshot several times faster than the default; servers built without it keep
-- the default, which is slower but just as correct.
DO $$
BEGIN
    ALTER TABLE session_snapshots ALTER COLUMN state SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available; snapshots use the default compression';
END $$;

-- The session journal: every message that changed a session since its last snapshot, in order.
-- A player is told an answer counts only once its entry is here; a respawn replays the entries
-- past the snapshot's seq. Rows are appended only while their session's snapshot row holds the
-- writer's epoch, and dropped once a saved snapshot covers them.
CREATE TABLE IF NOT EXISTS session_journal (
    guild_id   bigint NOT NULL,
    channel_id bigint NOT NULL,
    run_id     uuid NOT NULL,
    seq        bigint NOT NULL CHECK (seq > 0),
    entry      bytea NOT NULL,  -- orjson: [at, kind, fields...]
    PRIMARY KEY (guild_id, channel_id, run_id, seq)
);

-- Snapshots that could not be restored or recorded, set aside with why and their raw bytes, so
-- one bad session never blocks a restart and can still be looked at.
CREATE TABLE IF NOT EXISTS quarantined_snapshots (
    id             bigserial PRIMARY KEY,
    guild_id       bigint NOT NULL,
    channel_id     bigint NOT NULL,
    owner          text NOT NULL,
    epoch          bigint NOT NULL,
    reason         text NOT NULL,
    state          bytea NOT NULL,
    journal        bytea[] NOT NULL DEFAULT '{}',
    quarantined_at timestamptz NOT NULL DEFAULT now()
);

-- Questions by identity (Question.identity, a digest of all their content), so a snapshot can name
-- a question instead of carrying it. A row never changes: changed content is another identity.
CREATE TABLE IF NOT EXISTS questions (
    identity   text PRIMARY KEY,
    data       bytea NOT NULL,  -- Question.to_dict() as orjson bytes, as snapshots store their state
    source     text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- Study: one FSRS card per (player, question identity), across guilds (memory belongs to the
-- person). Every answer in any game reviews its card, in the answer write's own transaction.
-- The scheduler's state is in columns, so the due query is one walk of review_cards_due_idx.
CREATE TABLE IF NOT EXISTS review_cards (
    user_id     bigint NOT NULL,
    question_id text NOT NULL,  -- questions.identity
    due         timestamptz NOT NULL,
    stability   float8 NOT NULL CHECK (stability > 0),
    difficulty  float8 NOT NULL,
    state       smallint NOT NULL CHECK (state BETWEEN 1 AND 3),  -- learning, review, relearning
    step        smallint,
    last_review timestamptz NOT NULL,
    reviews     integer NOT NULL DEFAULT 1 CHECK (reviews > 0),
    PRIMARY KEY (user_id, question_id)
);
CREATE INDEX IF NOT EXISTS review_cards_due_idx ON review_cards (user_id, due) INCLUDE (question_id);

-- Every review, appended and never changed: retention, streaks and the new-card cap read it.
CREATE TABLE IF NOT EXISTS review_log (
    user_id      bigint NOT NULL,
    question_id  text NOT NULL,
    reviewed_at  timestamptz NOT NULL,
    rating       smallint NOT NULL CHECK (rating BETWEEN 1 AND 4),  -- again, hard, good, easy
    state_before smallint NOT NULL CHECK (state_before BETWEEN 0 AND 3),  -- 0: a new card
    study        boolean NOT NULL  -- in a private study session, not a channel game
);
CREATE INDEX IF NOT EXISTS review_log_user_idx ON review_log (user_id, reviewed_at);

-- A player's study settings: time zone, new cards a day, and the daily reminder. remind_next is
-- the next reminder's moment; a sender claims it by moving it on (compare-and-set), so exactly one
-- process sends each reminder.
CREATE TABLE IF NOT EXISTS study_settings (
    user_id     bigint PRIMARY KEY,
    time_zone   text,  -- an IANA name; NULL: the server's where asked, else UTC
    new_per_day smallint NOT NULL DEFAULT 10 CHECK (new_per_day BETWEEN 0 AND 100),
    remind_at   time,  -- the reminder's local time; NULL: no reminders
    remind_next timestamptz,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
-- The moment of the reminder last claimed (remind_next before the claim moved it on), so the claim
-- returns it without joining the locked rows back to the table.
ALTER TABLE study_settings ADD COLUMN IF NOT EXISTS reminded_for timestamptz;
-- The shipped locale the player's reminders are worded in (their client's when they set them).
ALTER TABLE study_settings ADD COLUMN IF NOT EXISTS locale text;
CREATE INDEX IF NOT EXISTS study_settings_remind_idx ON study_settings (remind_next)
    WHERE remind_next IS NOT NULL;

-- Which question an answer was to (its identity), so a player can review what they missed.
ALTER TABLE answers ADD COLUMN IF NOT EXISTS question_id text;

-- Scheduled games (/trivia schedule): at most 10 per guild, numbered within the guild. next_run is
-- the next run's moment (the guild's HH:MM on a day of `days`, bit 0 Monday .. bit 6 Sunday); a
-- runner claims it by moving it on in the same statement (compare-and-set), so each run starts once.
-- announce_next is when the run's role ping is due (NULL: no ping, or sent).
CREATE TABLE IF NOT EXISTS game_schedules (
    guild_id        bigint NOT NULL CHECK (guild_id > 0),
    schedule_id     integer NOT NULL CHECK (schedule_id > 0),
    channel_id      bigint NOT NULL,
    created_by      bigint NOT NULL,
    run_at          time NOT NULL,
    days            smallint NOT NULL CHECK (days BETWEEN 1 AND 127),
    options         jsonb NOT NULL,
    ping_role_id    bigint,
    ping_minutes    smallint CHECK (ping_minutes BETWEEN 1 AND 120),
    next_run        timestamptz NOT NULL,
    ran_for         timestamptz,  -- the moment of the run last claimed (next_run before the claim)
    announce_next   timestamptz,
    enabled         boolean NOT NULL DEFAULT true,
    disabled_reason text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, schedule_id),
    CHECK ((ping_role_id IS NULL) = (ping_minutes IS NULL))
);
CREATE INDEX IF NOT EXISTS game_schedules_due_idx ON game_schedules (next_run) WHERE enabled;
CREATE INDEX IF NOT EXISTS game_schedules_announce_idx ON game_schedules (announce_next)
    WHERE enabled AND announce_next IS NOT NULL;

-- Seasons (issue 13): at most one running season per guild, names unique per guild in any case.
-- A running season's points are leaderboard_rollups rows of period 's' whose period_start is
-- 1970-01-01 plus the season's id (a key, not a date), kept by the answer write for answers inside
-- [started_at, ended_at). Ending a season archives its final top 10 in season_standings.
CREATE TABLE IF NOT EXISTS seasons (
    season_id  integer GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    guild_id   bigint NOT NULL CHECK (guild_id > 0),
    name       text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 64),
    started_at timestamptz NOT NULL,
    ended_at   timestamptz CHECK (ended_at >= started_at)
);
CREATE UNIQUE INDEX IF NOT EXISTS seasons_running_idx ON seasons (guild_id) WHERE ended_at IS NULL;
CREATE UNIQUE INDEX IF NOT EXISTS seasons_name_idx ON seasons (guild_id, lower(name));
CREATE INDEX IF NOT EXISTS seasons_window_idx ON seasons (guild_id, started_at DESC);
CREATE TABLE IF NOT EXISTS season_standings (
    season_id integer NOT NULL REFERENCES seasons (season_id) ON DELETE CASCADE,
    rank      integer NOT NULL CHECK (rank >= 1),
    user_id   bigint NOT NULL,
    username  text NOT NULL,
    points    bigint NOT NULL,
    correct   integer NOT NULL,
    wrong     integer NOT NULL,
    quizzes   integer NOT NULL,
    PRIMARY KEY (season_id, user_id)
);
-- The rollups' period check admits 's' (replaced once on older databases, never rescanned after).
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint
                   WHERE conrelid = 'leaderboard_rollups'::regclass  -- this schema's table
                     AND conname = 'leaderboard_rollups_period_check'
                     AND pg_get_constraintdef(oid) LIKE '%''s''%') THEN
        ALTER TABLE leaderboard_rollups DROP CONSTRAINT IF EXISTS leaderboard_rollups_period_check;
        ALTER TABLE leaderboard_rollups ADD CONSTRAINT leaderboard_rollups_period_check
            CHECK (period IN ('d', 'w', 'm', 'a', 's'));
    END IF;
END $$;

-- Role rewards (issue 13): a role for reaching a level (kind 'l', threshold: the level) or for the
-- top 1 or 3 of an ended season (kind 's', threshold: 1 or 3).
CREATE TABLE IF NOT EXISTS role_rewards (
    guild_id  bigint NOT NULL,
    role_id   bigint NOT NULL,
    kind      "char" NOT NULL CHECK (kind IN ('l', 's')),
    threshold integer NOT NULL CHECK (threshold >= 1),
    PRIMARY KEY (guild_id, role_id)
);
-- What a member should hold: one row per (guild, user, role), `held` the wanted state. A sender
-- claims pending rows whose next_try has come by moving next_try on (compare-and-set), so each
-- change is sent by one process; done rows are never sent again, failed ones are shown, not retried.
CREATE TABLE IF NOT EXISTS role_grants (
    guild_id   bigint NOT NULL,
    user_id    bigint NOT NULL,
    role_id    bigint NOT NULL,
    held       boolean NOT NULL,
    state      text NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    next_try   timestamptz NOT NULL DEFAULT now(),
    error      text,
    updated_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, user_id, role_id)
);
CREATE INDEX IF NOT EXISTS role_grants_pending_idx ON role_grants (next_try) WHERE state = 'pending';
CREATE INDEX IF NOT EXISTS role_grants_failed_idx ON role_grants (guild_id) WHERE state = 'failed';
CREATE INDEX IF NOT EXISTS role_grants_role_idx ON role_grants (guild_id, role_id) WHERE held;

-- Question of the day (issue 13): a guild's daily channel, its local hour and whether the recap
-- names who got it right. A poster claims the due rows by moving next_post on to the next day's
-- hour in the guild's zone (compare-and-set), so one process posts each day's question.
CREATE TABLE IF NOT EXISTS daily_settings (
    guild_id   bigint PRIMARY KEY,
    channel_id bigint NOT NULL,
    hour       smallint NOT NULL DEFAULT 9 CHECK (hour BETWEEN 0 AND 23),
    show_names boolean NOT NULL DEFAULT false,
    next_post  timestamptz NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS daily_settings_due_idx ON daily_settings (next_post);
-- Each day's question: its run (whose answers are ordinary rows of `answers`), for the next day's
-- recap and the daily streak (consecutive posts answered right).
CREATE TABLE IF NOT EXISTS daily_posts (
    guild_id   bigint NOT NULL,
    day        date NOT NULL,  -- the guild's local day of the post
    channel_id bigint NOT NULL,
    run_id     uuid NOT NULL UNIQUE,
    question   text NOT NULL,  -- its identity in `questions`, for the recap
    closes_at  timestamptz NOT NULL,
    PRIMARY KEY (guild_id, day)
);

-- Question reports (issue 14): a player reports a question at most once (its identity), with one
-- of four reasons and an optional note. A guild's admins see their guild's open reports; a report
-- is closed when they dismiss it or hide the question. Reports from several guilds flag a question
-- to the bot's owner. The (user_id, reported_at) index serves the per-user rate limit.
CREATE TABLE IF NOT EXISTS question_reports (
    question_id text NOT NULL,  -- Question.identity
    user_id     bigint NOT NULL,
    guild_id    bigint NOT NULL,  -- 0 for a report from a DM
    reason      text NOT NULL CHECK (reason IN ('wrong', 'unclear', 'offensive', 'outdated')),
    note        text NOT NULL DEFAULT '' CHECK (char_length(note) <= 300),
    status      text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'dismissed', 'hidden')),
    reported_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (question_id, user_id)
);
CREATE INDEX IF NOT EXISTS question_reports_guild_idx
    ON question_reports (guild_id, status, question_id);
CREATE INDEX IF NOT EXISTS question_reports_user_idx ON question_reports (user_id, reported_at);

-- Questions taken out of play: for one guild (guild_id > 0, by its admins) or everywhere
-- (guild_id = 0, by the bot's owner from the command line). A hidden question leaves games, study
-- decks and the question of the day.
CREATE TABLE IF NOT EXISTS hidden_questions (
    guild_id    bigint NOT NULL CHECK (guild_id >= 0),
    question_id text NOT NULL,
    reason      text NOT NULL DEFAULT '' CHECK (char_length(reason) <= 300),
    hidden_by   bigint NOT NULL DEFAULT 0,  -- 0: the owner, from the command line
    hidden_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (guild_id, question_id)
);

-- Where an uploaded pack came from and under which licence (an Open Trivia DB import is
-- CC BY-SA 4.0 and keeps its attribution); `format` says how `body` is parsed.
ALTER TABLE guild_packs ADD COLUMN IF NOT EXISTS format text NOT NULL DEFAULT 'quizbot';
ALTER TABLE guild_packs ADD COLUMN IF NOT EXISTS origin text NOT NULL DEFAULT '';
ALTER TABLE guild_packs ADD COLUMN IF NOT EXISTS licence text NOT NULL DEFAULT '';
ALTER TABLE guild_packs ADD COLUMN IF NOT EXISTS attribution text NOT NULL DEFAULT '';

-- Images a guild's pack carries as attachments (a question's `image: attachment://<name>`),
-- checked on upload: PNG, JPEG, GIF or WebP, at most 8 MB.
CREATE TABLE IF NOT EXISTS pack_images (
    guild_id     bigint NOT NULL,
    pack_id      text NOT NULL,
    name         text NOT NULL,
    content_type text NOT NULL,
    width        integer NOT NULL CHECK (width > 0),
    height       integer NOT NULL CHECK (height > 0),
    data         bytea NOT NULL CHECK (octet_length(data) <= 8388608),
    PRIMARY KEY (guild_id, pack_id, name),
    FOREIGN KEY (guild_id, pack_id) REFERENCES guild_packs (guild_id, pack_id) ON DELETE CASCADE
);

-- The web view (issue 15): a guild's board is public only once its admins opt in
-- (/settings set web_board:true), under the name the guild had then; a player's profile is
-- public unless they hid it (/stats privacy:hidden). A hidden player's row on a public board
-- shows no name.
ALTER TABLE guild_settings ADD COLUMN IF NOT EXISTS web_board boolean NOT NULL DEFAULT false;
ALTER TABLE guild_settings ADD COLUMN IF NOT EXISTS web_name text NOT NULL DEFAULT ''
    CHECK (char_length(web_name) <= 100);
CREATE INDEX IF NOT EXISTS guild_settings_web_board_idx ON guild_settings (guild_id) WHERE web_board;
ALTER TABLE users ADD COLUMN IF NOT EXISTS profile_hidden boolean NOT NULL DEFAULT false;

-- A live game's web page for a classroom screen (/trivia start screen:true): the host's link holds
-- a random selector and a random secret; only the secret's SHA-256 is kept. It shows the game of
-- `run_id` in its channel until `expires_at`; expired rows are dropped when a process starts.
CREATE TABLE IF NOT EXISTS live_screens (
    selector   text PRIMARY KEY CHECK (char_length(selector) BETWEEN 8 AND 32),
    digest     bytea NOT NULL CHECK (octet_length(digest) = 32),
    guild_id   bigint NOT NULL,  -- 0 in a DM
    channel_id bigint NOT NULL,
    run_id     uuid NOT NULL,
    host_id    bigint NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX IF NOT EXISTS live_screens_expires_idx ON live_screens (expires_at);

INSERT INTO schema_version (singleton, version) VALUES (true, 8)
ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version, applied_at = now()
WHERE schema_version.version IS DISTINCT FROM EXCLUDED.version;
