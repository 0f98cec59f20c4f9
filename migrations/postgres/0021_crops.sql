-- Crops per platform: a rectangle in the ORIGINAL's pixel coordinates for
-- each preset an artist has set (no row = the centred default), or a mat:
-- the whole artwork padded onto `mat_colour` at the preset's ratio (the
-- rectangle is then kept but not used). The original is never changed.
CREATE TABLE image_crops (
    workspace_id UUID NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    image_id     UUID NOT NULL,
    preset       TEXT NOT NULL CHECK (preset IN ('square', 'portrait', 'grid', 'story', 'pin', 'landscape', 'wide')),
    x            BIGINT NOT NULL CHECK (x >= 0),
    y            BIGINT NOT NULL CHECK (y >= 0),
    width        BIGINT NOT NULL CHECK (width > 0),
    height       BIGINT NOT NULL CHECK (height > 0),
    mode         TEXT NOT NULL DEFAULT 'crop' CHECK (mode IN ('crop', 'mat')),
    mat_colour   TEXT NOT NULL DEFAULT '#ffffff',
    updated_at   TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (workspace_id, image_id, preset),
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);

-- Up to five dominant colours, `#rrggbb` separated by spaces, most dominant
-- first; '' until computed.
ALTER TABLE images ADD COLUMN palette TEXT NOT NULL DEFAULT '';

-- Workspace data: forced row-level security (see 0001 and 0009).
ALTER TABLE image_crops ENABLE ROW LEVEL SECURITY;
ALTER TABLE image_crops FORCE ROW LEVEL SECURITY;
CREATE POLICY workspace_isolation ON image_crops
    USING (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
           OR (SELECT current_setting('app.platform_admin', true)) = 'on')
    WITH CHECK (workspace_id = (SELECT NULLIF(current_setting('app.workspace_id', true), '')::uuid)
                OR (SELECT current_setting('app.platform_admin', true)) = 'on');
