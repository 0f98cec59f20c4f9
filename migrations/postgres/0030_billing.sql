-- Billing with Stripe (issue 19): what each paid plan costs, each
-- workspace's subscription as Stripe last reported it, the webhook events
-- already applied, open Checkout Sessions, and refused webhook calls.

-- A paid plan's Stripe prices (empty: not sold) and what the plan page shows.
-- `trial_days` NULL is EASEL_TRIAL_DAYS.
ALTER TABLE plans ADD COLUMN stripe_price_monthly TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN stripe_price_yearly TEXT NOT NULL DEFAULT '';
ALTER TABLE plans ADD COLUMN price_monthly_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN price_yearly_cents BIGINT NOT NULL DEFAULT 0;
ALTER TABLE plans ADD COLUMN trial_days BIGINT;
UPDATE plans SET price_monthly_cents = 499 WHERE key = 'basic';
UPDATE plans SET price_monthly_cents = 999 WHERE key = 'standard';
UPDATE plans SET price_monthly_cents = 1999 WHERE key = 'pro';

-- Since when a payment has been failing (the grace period runs from here);
-- and a plan set by hand that billing must not override.
ALTER TABLE workspaces ADD COLUMN billing_past_due_since TIMESTAMPTZ;
ALTER TABLE workspaces ADD COLUMN complimentary_plan BOOLEAN NOT NULL DEFAULT FALSE;

-- One Stripe customer per workspace, and its subscription as last applied.
-- `state_at` is Stripe's `created` (unix seconds) of the event whose state
-- this is, so an older event never overwrites a newer state.
CREATE TABLE subscriptions (
    workspace_id         UUID PRIMARY KEY NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    customer_id          TEXT NOT NULL,
    subscription_id      TEXT NOT NULL DEFAULT '',
    price_id             TEXT NOT NULL DEFAULT '',
    plan                 TEXT NOT NULL DEFAULT '',
    status               TEXT NOT NULL DEFAULT '',
    billing_interval     TEXT NOT NULL DEFAULT 'month',
    amount_cents         BIGINT NOT NULL DEFAULT 0,
    mrr_cents            BIGINT NOT NULL DEFAULT 0,
    currency             TEXT NOT NULL DEFAULT 'usd',
    current_period_start TIMESTAMPTZ,
    current_period_end   TIMESTAMPTZ,
    cancel_at_period_end BOOLEAN NOT NULL DEFAULT FALSE,
    trial_end            TIMESTAMPTZ,
    canceled_at          TIMESTAMPTZ,
    downgrade_at         TIMESTAMPTZ,
    state_at             BIGINT NOT NULL DEFAULT 0,
    updated_at           TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX subscriptions_by_customer ON subscriptions (customer_id);
CREATE INDEX subscriptions_by_subscription ON subscriptions (subscription_id);

-- Every webhook event taken, by Stripe's id: a replay finds its row and
-- changes nothing. `outcome` is what Easel did with it.
CREATE TABLE stripe_events (
    id           TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL,
    created      BIGINT NOT NULL,
    workspace_id UUID,
    outcome      TEXT NOT NULL,
    detail       TEXT NOT NULL DEFAULT '',
    received_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX stripe_events_by_kind ON stripe_events (kind, received_at);
CREATE INDEX stripe_events_by_outcome ON stripe_events (outcome, received_at);

-- The open Checkout Session per workspace, plan and interval: a second
-- "Choose" reuses it instead of starting a second subscription.
CREATE TABLE billing_checkouts (
    workspace_id     UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    plan             TEXT NOT NULL,
    billing_interval TEXT NOT NULL,
    id               UUID NOT NULL,
    session_id       TEXT NOT NULL DEFAULT '',
    url              TEXT NOT NULL DEFAULT '',
    expires_at       TIMESTAMPTZ NOT NULL,
    completed_at     TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, plan, billing_interval)
);

-- Webhook calls refused (bad signature, old timestamp, unreadable body),
-- counted per reason so the operator sees them without an attacker being
-- able to grow a table.
CREATE TABLE stripe_refusals (
    reason  TEXT PRIMARY KEY NOT NULL,
    count   BIGINT NOT NULL,
    last_at TIMESTAMPTZ NOT NULL,
    last_ip TEXT NOT NULL DEFAULT ''
);

-- Billing rows that name a workspace: forced row-level security like every
-- workspace table. The webhook reads across workspaces as the platform does.
ALTER TABLE subscriptions ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscriptions FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON subscriptions
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE stripe_events ENABLE ROW LEVEL SECURITY;
ALTER TABLE stripe_events FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON stripe_events
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
ALTER TABLE billing_checkouts ENABLE ROW LEVEL SECURITY;
ALTER TABLE billing_checkouts FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON billing_checkouts
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
