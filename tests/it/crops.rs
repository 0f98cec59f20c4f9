//! Crops per platform: saving, validating and resetting a frame, who may,
//! the renditions cut from the original (shape, mat, cache, sweeping), the
//! palette stored at upload, and what Publer receives.

use image::ImageFormat;
use serde_json::Value;

use crate::{
    calendars::new_calendar,
    harness::{
        Backend, Client, Page, TestApp,
        art::{encode, picture},
        services::Services,
    },
    on_both_backends, on_every_store,
    publer::{ADA_PUBLER, connect, fast, send, settled},
};

on_both_backends!(
    a_crop_is_saved_validated_and_reset,
    a_viewer_sees_the_crops_but_cannot_change_them,
    the_palette_is_stored_at_upload_and_filled_in_later,
    publer_receives_the_platform_crop_and_the_alt_text,
);
on_every_store!(renditions_have_the_preset_shape_are_cached_and_swept);

async fn upload_picture(client: &Client, name: &str, width: u32, height: u32, seed: u8) -> String {
    let bytes = encode(&picture(width, height, seed), ImageFormat::Png);
    let page = client.upload("/images", &[(name, bytes)]).await;
    page.assert_status(200);
    let link = page.attrs(".upload-added a", "href").pop().unwrap_or_else(|| panic!("not added:\n{}", page.body));
    link.trim_start_matches("/images/").to_owned()
}

async fn crops_of(app: &TestApp) -> Vec<String> {
    app.strings(
        "SELECT preset || '|' || CAST(x AS TEXT) || ',' || CAST(y AS TEXT) || ',' || CAST(width AS TEXT) || ',' \
         || CAST(height AS TEXT) || '|' || mode || '|' || mat_colour FROM image_crops ORDER BY preset",
    )
    .await
}

fn size_of(page: &Page) -> (u32, u32) {
    page.assert_status(200);
    assert_eq!(page.header("content-type"), "image/jpeg");
    let image = image::load_from_memory(&page.bytes).expect("a real JPEG");
    (image.width(), image.height())
}

/// The workspace's stored renditions, as files (on disk or in the S3 server's folder).
fn renditions(app: &TestApp, ws: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(app.uploads().join(ws).join("renditions")) else { return Vec::new() };
    let mut found: Vec<String> =
        entries.flatten().map(|e| format!("renditions/{}", e.file_name().to_string_lossy())).collect();
    found.sort();
    found
}

async fn a_crop_is_saved_validated_and_reset(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let id = upload_picture(&ada, "heron.png", 300, 200, 1).await;

    // A landscape piece: the centred 4:5 crop keeps 160 × 200 of 300 × 200.
    let page = ada.get(&format!("/images/{id}")).await;
    assert_eq!(page.text("#crops .crop-badge"), "Crop cuts 47%");
    assert_eq!(page.attrs("#crop-panel-portrait [data-crop-w]", "value"), vec!["160"]);
    assert_eq!(page.attrs("#crop-panel-portrait [data-crop-x]", "value"), vec!["70"]);
    let library = ada.get("/images").await;
    assert_eq!(library.texts(".art-card .crop-badge"), vec!["Crop cuts 47%"]);

    let save = format!("/images/{id}/crops/portrait");
    ada.post(&save, &[("x", "10"), ("y", "0"), ("width", "160"), ("mode", "crop")])
        .await
        .assert_redirect(&format!("/images/{id}?crop=portrait#crops"));
    assert_eq!(crops_of(&app).await, vec!["portrait|10,0,160,200|crop|#ffffff"]);
    let page = ada.get(&format!("/images/{id}?crop=portrait")).await;
    assert_eq!(page.attrs("#crop-panel-portrait [data-crop-x]", "value"), vec!["10"]);

    // Refused: outside the artwork, the wrong shape, too small, not numbers,
    // a bad mat colour. Each says why and changes nothing.
    for (fields, message) in [
        (vec![("x", "200"), ("y", "0"), ("width", "160")], "goes outside the artwork"),
        (vec![("x", "0"), ("y", "0"), ("width", "160"), ("height", "100")], "does not have this format's shape"),
        (vec![("x", "0"), ("y", "0"), ("width", "8")], "too small"),
        (vec![("x", "left"), ("y", "0"), ("width", "160")], "whole numbers"),
        (vec![("x", "0"), ("y", "0"), ("width", "160"), ("mode", "mat"), ("mat_colour", "red")], "#rrggbb"),
    ] {
        let page = ada.post(&save, &fields).await;
        page.assert_status(422);
        assert!(page.text("#crop-panel-portrait [data-crop-error]").contains(message), "{fields:?}: {}", page.body);
        assert_eq!(crops_of(&app).await, vec!["portrait|10,0,160,200|crop|#ffffff"], "{fields:?}");
    }
    let unknown = ada.post(&format!("/images/{id}/crops/banner"), &[("x", "0"), ("y", "0"), ("width", "100")]).await;
    unknown.assert_status(400);
    assert!(unknown.body.contains("no such crop format"), "{}", unknown.body);
    assert_eq!(crops_of(&app).await.len(), 1);

    // A mat keeps the frame beside it; another preset is its own row.
    ada.get(&format!("/images/{id}")).await;
    ada.post(
        &format!("/images/{id}/crops/square"),
        &[("x", "0"), ("y", "0"), ("width", "200"), ("mode", "mat"), ("mat_colour", "#F5F0E8")],
    )
    .await
    .assert_status(303);
    assert_eq!(crops_of(&app).await, vec!["portrait|10,0,160,200|crop|#ffffff", "square|0,0,200,200|mat|#f5f0e8"]);

    ada.post(&format!("{save}/reset"), &[]).await.assert_redirect(&format!("/images/{id}?crop=portrait#crops"));
    assert_eq!(crops_of(&app).await, vec!["square|0,0,200,200|mat|#f5f0e8"]);
    // Deleting the artwork takes its crops with it.
    ada.post(&format!("/images/{id}/delete"), &[]).await.assert_status(303);
    assert!(crops_of(&app).await.is_empty());
}

async fn a_viewer_sees_the_crops_but_cannot_change_them(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let id = upload_picture(&ada, "heron.png", 300, 200, 2).await;
    ada.post(&format!("/images/{id}/crops/portrait"), &[("x", "0"), ("y", "0"), ("width", "160")]).await;
    let tom = app.signed_up("Tom", "tom@example.com").await;
    app.add_member(&ws, "tom@example.com", "viewer").await;
    tom.post("/workspaces/switch", &[("workspace_id", &ws), ("back", "/")]).await;

    let page = tom.get(&format!("/images/{id}")).await;
    page.assert_status(200);
    assert_eq!(page.attrs("#crop-panel-portrait [data-crop-x]", "value"), vec!["0"]);
    assert!(page.html().select(&scraper::Selector::parse("#crops button[type=submit]").expect("css")).next().is_none());
    assert_eq!(size_of(&tom.get(&format!("/media/{id}/crop/portrait")).await), (160, 200));
    tom.post(&format!("/images/{id}/crops/portrait"), &[("x", "100"), ("y", "0"), ("width", "160")])
        .await
        .assert_status(403);
    tom.post(&format!("/images/{id}/crops/portrait/reset"), &[]).await.assert_status(403);
    assert_eq!(crops_of(&app).await, vec!["portrait|0,0,160,200|crop|#ffffff"]);
}

async fn renditions_have_the_preset_shape_are_cached_and_swept(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    // Already 4:5: the default portrait crop is the whole piece, 1080 px wide.
    let id = upload_picture(&ada, "tall.png", 1200, 1500, 3).await;
    let portrait = format!("/media/{id}/crop/portrait");
    let first = ada.get(&portrait).await;
    assert_eq!(size_of(&first), (1080, 1350));
    assert_eq!(first.header("x-content-type-options"), "nosniff");
    assert!(first.header("cache-control").contains("private"));
    let made = renditions(&app, &ws);
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(made[0].starts_with(&format!("renditions/{id}-portrait-")), "{made:?}");

    // The second request is the stored file; the browser's copy is still good.
    let etag = first.header("etag");
    assert_eq!(size_of(&ada.get(&portrait).await), (1080, 1350));
    assert_eq!(renditions(&app, &ws), made);
    let again = ada.send(reqwest::Method::GET, &portrait, None, &[("if-none-match", &etag)]).await;
    again.assert_status(304);

    // The small one, for chips and tiles.
    assert_eq!(size_of(&ada.get(&format!("{portrait}/thumb")).await), (360, 450));

    // A changed frame is a new file, never the old one served again.
    ada.get(&format!("/images/{id}")).await;
    ada.post(&format!("/images/{id}/crops/portrait"), &[("x", "100"), ("y", "100"), ("width", "800")])
        .await
        .assert_status(303);
    let changed = ada.get(&portrait).await;
    assert_eq!(size_of(&changed), (800, 1000));
    assert_ne!(changed.header("etag"), etag);
    let ada_ws_renditions = renditions(&app, &ws);
    assert_eq!(ada_ws_renditions.len(), 3, "{ada_ws_renditions:?}");

    // A mat: the whole 1200 × 1500 piece on a red square.
    ada.post(
        &format!("/images/{id}/crops/square"),
        &[("x", "0"), ("y", "0"), ("width", "1200"), ("mode", "mat"), ("mat_colour", "#ff0000")],
    )
    .await
    .assert_status(303);
    let matted = ada.get(&format!("/media/{id}/crop/square")).await;
    assert_eq!(size_of(&matted), (1080, 1080));
    let pixels = image::load_from_memory(&matted.bytes).expect("jpeg").to_rgb8();
    let corner = pixels.get_pixel(3, 540).0;
    assert!(corner[0] > 200 && corner[1] < 50 && corner[2] < 50, "the mat is red at the side: {corner:?}");
    // Landscape: 1.91:1 from a portrait piece.
    let wide = ada.get(&format!("/media/{id}/crop/landscape")).await;
    assert_eq!(size_of(&wide), (1080, 565));

    // Once made, a rendition is served from the store even without its sources.
    let sources = [format!("{ws}/originals/{id}.png"), format!("{ws}/large/{id}.jpg")];
    app.storage.delete(&sources).await;
    assert_eq!(size_of(&ada.get(&portrait).await), (800, 1000));

    // The sweeper takes the stale rendition (the frame changed), keeps the rest.
    let before = renditions(&app, &ws);
    easel::storage::sweeper::sweep(&app.databases, &app.storage, std::time::Duration::ZERO).await.expect("sweep");
    let after = renditions(&app, &ws);
    // The old frame's rendition and its small one go.
    assert_eq!(after.len(), before.len() - 2, "{before:?} → {after:?}");
    assert!(!after.contains(&made[0]), "the old frame's rendition is gone");
    assert!(after.iter().any(|f| f.contains("-portrait-")), "the current frame's stays: {after:?}");
    // And every rendition of a deleted image.
    ada.post(&format!("/images/{id}/delete"), &[]).await.assert_status(303);
    easel::storage::sweeper::sweep(&app.databases, &app.storage, std::time::Duration::ZERO).await.expect("sweep");
    assert_eq!(renditions(&app, &ws), Vec::<String>::new());

    // Unknown formats and other shapes of nonsense are simply not found.
    ada.get(&format!("/media/{id}/crop/banner")).await.assert_status(404);
}

async fn the_palette_is_stored_at_upload_and_filled_in_later(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let stripes = image::DynamicImage::ImageRgb8(image::RgbImage::from_fn(80, 60, |x, _| {
        if x < 60 { image::Rgb([200, 30, 30]) } else { image::Rgb([20, 40, 200]) }
    }));
    let page = ada.upload("/images", &[("stripes.png", encode(&stripes, ImageFormat::Png))]).await;
    let id = page.attrs(".upload-added a", "href").pop().expect("added").trim_start_matches("/images/").to_owned();
    let palette = app.strings("SELECT palette FROM images").await.pop().expect("row");
    let colours: Vec<&str> = palette.split(' ').collect();
    assert!((1..=5).contains(&colours.len()), "{palette}");
    assert!(colours.iter().all(|c| c.len() == 7 && c.starts_with('#')), "{palette}");
    let first = &colours[0][1..];
    let red = u8::from_str_radix(&first[0..2], 16).expect("hex");
    assert!(red > 150, "red dominates: {palette}");

    // Artwork from before palettes gets one when its page is opened.
    app.try_execute("UPDATE images SET palette = ''").await.expect("clear");
    ada.get(&format!("/images/{id}")).await.assert_status(200);
    // From the stored (JPEG) thumbnail: the same two colours, give or take.
    let later = app.strings("SELECT palette FROM images").await.pop().expect("row");
    assert_eq!(later.split(' ').count(), 2, "{later}");
    assert!(later.starts_with("#c"), "red still comes first: {later}");
}

async fn publer_receives_the_platform_crop_and_the_alt_text(backend: Backend) {
    let services = Services::start().await;
    let app = TestApp::spawn_with(backend, fast(&services)).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    // A 2:3 portrait; Instagram shows 4:5, so 400 × 500 of it goes.
    let id = upload_picture(&ada, "heron.png", 400, 600, 4).await;
    ada.get(&format!("/images/{id}")).await;
    ada.post(
        &format!("/images/{id}"),
        &[("title", "Heron"), ("alt_text", "A grey heron in pale reeds"), ("availability", "available")],
    )
    .await
    .assert_status(303);
    let calendar = new_calendar(&ada, "Main").await;
    ada.get(&format!("/calendars/{calendar}/posts/new")).await;
    let fields = [
        ("date", "2030-05-01"),
        ("time", "09:00"),
        ("platform", "instagram"),
        ("status", "ready"),
        ("caption", "Dawn"),
    ];
    let post = ada.post(&format!("/calendars/{calendar}/posts"), &fields).await;
    let post = post.location().expect("post").trim_start_matches("/events/").to_owned();
    ada.post(&format!("/events/{post}/images"), &[("ids", &id)]).await;

    // The preview shows the Instagram crop and, once mapped, the account.
    let editor = ada.get(&format!("/events/{post}")).await;
    assert_eq!(editor.attrs("[data-preview-slide] img", "src"), vec![format!("/media/{id}/crop/portrait")]);
    connect(&ada, &services, ADA_PUBLER, "pw-ada").await;
    let editor = ada.get(&format!("/events/{post}")).await;
    assert_eq!(editor.text("[data-preview-account]"), "Instagram of pw-ada");

    send(&ada, &post).await;
    assert_eq!(settled(&app, &post).await.0, "scheduled");
    let media = services.seen("/publer/media");
    assert_eq!(media.len(), 1);
    assert!(media[0].body.contains("size: 400x500"), "a 4:5 crop arrives as 4:5: {}", media[0].body);
    let scheduled: Value =
        serde_json::from_str(&services.seen("/publer/posts/schedule")[0].body).expect("schedule body");
    let sent = &scheduled["bulk"]["posts"][0]["networks"]["instagram"]["media"][0];
    assert_eq!(sent["alt_text"], "A grey heron in pale reeds");
}
