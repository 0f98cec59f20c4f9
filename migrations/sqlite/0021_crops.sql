-- Crops per platform: a rectangle in the ORIGINAL's pixel coordinates for
-- each preset an artist has set (no row = the centred default), or a mat:
-- the whole artwork padded onto `mat_colour` at the preset's ratio (the
-- rectangle is then kept but not used). The original is never changed.
CREATE TABLE image_crops (
    workspace_id BLOB NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    image_id     BLOB NOT NULL,
    preset       TEXT NOT NULL CHECK (preset IN ('square', 'portrait', 'grid', 'story', 'pin', 'landscape', 'wide')),
    x            INTEGER NOT NULL CHECK (x >= 0),
    y            INTEGER NOT NULL CHECK (y >= 0),
    width        INTEGER NOT NULL CHECK (width > 0),
    height       INTEGER NOT NULL CHECK (height > 0),
    mode         TEXT NOT NULL DEFAULT 'crop' CHECK (mode IN ('crop', 'mat')),
    mat_colour   TEXT NOT NULL DEFAULT '#ffffff',
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (workspace_id, image_id, preset),
    FOREIGN KEY (workspace_id, image_id) REFERENCES images (workspace_id, id) ON DELETE CASCADE
);

-- Up to five dominant colours, `#rrggbb` separated by spaces, most dominant
-- first; '' until computed.
ALTER TABLE images ADD COLUMN palette TEXT NOT NULL DEFAULT '';
