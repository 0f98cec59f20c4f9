//! The artwork library: uploads, refusals, thumbnails, the gallery, details,
//! deleting and bulk actions.

use futures_util::TryStreamExt;
use image::ImageFormat;

use crate::{
    harness::{
        Backend, Client, Page, TestApp,
        art::{self, encode, picture},
    },
    on_every_store,
};

on_every_store!(
    every_accepted_format_uploads_and_gets_thumbnails,
    refused_files_say_why_and_leave_nothing_behind,
    a_file_over_the_size_limit_gets_413_and_nothing_is_stored,
    the_same_file_twice_is_recognised,
    the_same_file_in_two_workspaces_is_stored_twice,
    a_connection_dropped_mid_upload_leaves_nothing,
    thumbnails_stand_upright_and_carry_no_exif,
    media_is_cached_privately_and_revalidates,
    an_upload_without_the_form_guards_is_refused,
    the_gallery_searches_filters_and_pages,
    details_are_edited_and_validated,
    deleting_an_image_removes_its_files,
    bulk_actions_tag_collect_and_delete,
    the_gallery_lists_its_tags_collections_and_piece_count,
    a_viewer_sees_the_library_but_changes_nothing,
    the_sweeper_removes_leftovers,
);

/// Ids of the images an upload added, from its results page.
fn added_ids(page: &Page) -> Vec<String> {
    page.attrs(".upload-added a", "href").into_iter().map(|h| h.trim_start_matches("/images/").to_owned()).collect()
}

async fn upload_one(client: &Client, name: &str, bytes: Vec<u8>) -> String {
    let page = client.upload("/images", &[(name, bytes)]).await;
    page.assert_status(200);
    added_ids(&page).pop().unwrap_or_else(|| panic!("{name} was not added:\n{}", page.body))
}

async fn every_accepted_format_uploads_and_gets_thumbnails(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let formats = [
        ("heron.jpg", ImageFormat::Jpeg, "image/jpeg"),
        ("heron.png", ImageFormat::Png, "image/png"),
        ("heron.webp", ImageFormat::WebP, "image/webp"),
        ("heron.gif", ImageFormat::Gif, "image/gif"),
        ("heron.tiff", ImageFormat::Tiff, "image/tiff"),
    ];
    let files: Vec<(&str, Vec<u8>)> = formats
        .iter()
        .enumerate()
        .map(|(i, (name, f, _))| (*name, encode(&picture(64, 48, i as u8 * 40), *f)))
        .collect();
    let page = ada.upload("/images", &files).await;
    page.assert_status(200);
    let ids = added_ids(&page);
    assert_eq!(ids.len(), 5, "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 5);
    for (id, (_, _, content_type)) in ids.iter().zip(formats) {
        let original = ada.get(&format!("/media/{id}/original")).await;
        original.assert_status(200);
        assert_eq!(original.header("content-type"), content_type);
        assert_eq!(original.header("x-content-type-options"), "nosniff");
        for size in ["large", "thumb"] {
            let derived = ada.get(&format!("/media/{id}/{size}")).await;
            derived.assert_status(200);
            assert_eq!(derived.header("content-type"), "image/jpeg");
            let decoded = image::load_from_memory(&derived.bytes).expect("a real JPEG");
            assert_eq!((decoded.width(), decoded.height()), (64, 48));
        }
    }
    assert_eq!(app.files_of(&ws).iter().filter(|f| f.starts_with("tmp/")).count(), 0);
    assert_eq!(app.files_of(&ws).len(), 15);
    assert_eq!(app.count("SELECT image_count FROM workspace_usage").await, 5);
    assert!(app.count("SELECT storage_bytes FROM workspace_usage").await > 0);
}

async fn refused_files_say_why_and_leave_nothing_behind(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let mut truncated = art::jpeg(1);
    truncated.truncate(truncated.len() / 2);
    let mut corrupt = art::png(2);
    let middle = corrupt.len() / 2;
    corrupt[middle..].iter_mut().for_each(|b| *b = !*b);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("logo.svg", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(), "SVG"),
        ("page.png", b"<!DOCTYPE html><html><body>hi</body></html>".to_vec(), "HTML"),
        ("doc.png", b"%PDF-1.7\n1 0 obj\n".to_vec(), "PDF"),
        ("notes.png", b"just some notes, not a picture".to_vec(), "not an image"),
        ("cut.jpg", truncated, "damaged or incomplete"),
        ("broken.png", corrupt, "damaged or incomplete"),
        ("huge.png", art::enormous_png_header(), "50 megapixels"),
        ("bitmap.bmp", [b"BM".as_slice(), &[0u8; 60]].concat(), "not supported"),
    ];
    for (name, bytes, reason) in cases {
        let page = ada.upload("/images", &[(name, bytes)]).await;
        page.assert_status(422);
        let refused = page.text(".upload-refused");
        assert!(refused.contains(name) && refused.contains(reason), "{name}: {refused}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    assert!(app.files_of(&ws).is_empty(), "{:?}", app.files_of(&ws));
    // Choosing no file at all is a clear error too.
    ada.upload("/images", &[]).await.assert_status(400);
}

async fn a_file_over_the_size_limit_gets_413_and_nothing_is_stored(backend: Backend) {
    let app = TestApp::spawn_with(backend, |c| c.max_upload_bytes = 100 * 1024).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let big = vec![0xFFu8; 300 * 1024];
    let page = ada.upload("/images", &[("small.png", art::png(1)), ("big.jpg", big)]).await;
    page.assert_status(413);
    assert!(page.text("p.lead").contains("big.jpg"), "{}", page.body);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    assert!(app.files_of(&ws).is_empty(), "{:?}", app.files_of(&ws));
}

async fn the_same_file_twice_is_recognised(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let first = upload_one(&ada, "heron.png", art::png(7)).await;
    let again = ada.upload("/images", &[("heron-copy.png", art::png(7))]).await;
    assert_eq!(again.attrs(".upload-duplicate a", "href"), vec![format!("/images/{first}")]);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
}

async fn the_same_file_in_two_workspaces_is_stored_twice(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let bea = app.signed_up("Bea", "bea@example.com").await;
    let a = upload_one(&ada, "heron.png", art::png(7)).await;
    let b = upload_one(&bea, "heron.png", art::png(7)).await;
    assert_ne!(a, b);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 2);
    assert_eq!(app.files_of(&ada.guards().page_workspace).len(), 3);
    assert_eq!(app.files_of(&bea.guards().page_workspace).len(), 3);
}

async fn a_connection_dropped_mid_upload_leaves_nothing(backend: Backend) {
    use tokio::io::AsyncWriteExt;
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let guards = ada.guards();
    let cookie = {
        use reqwest::cookie::CookieStore;
        ada.jar.cookies(&app.url("/").parse().expect("url")).expect("cookie").to_str().expect("ascii").to_owned()
    };
    let boundary = "EaselBoundary";
    let head = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"page_workspace\"\r\n\r\n{}\r\n\
         --{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.png\"\r\n\
         Content-Type: image/png\r\n\r\n",
        guards.csrf_token, guards.page_workspace
    );
    let mut body = head.into_bytes();
    body.extend_from_slice(&art::png(5)[..100]);
    let request = format!(
        "POST /images HTTP/1.1\r\nHost: {}\r\nCookie: {cookie}\r\nContent-Type: multipart/form-data; boundary={boundary}\r\n\
         Content-Length: {}\r\n\r\n",
        app.addr,
        body.len() + 1_000_000
    );
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.expect("connect");
    stream.write_all(request.as_bytes()).await.expect("headers");
    stream.write_all(&body).await.expect("part of the body");
    stream.flush().await.expect("flush");
    // Wait until the server has the partial file, then hang up.
    let ws = guards.page_workspace.clone();
    for _ in 0..200 {
        if app.files_of(&ws).iter().any(|f| f.starts_with("tmp/")) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    drop(stream);
    for _ in 0..200 {
        if app.files_of(&ws).is_empty() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert!(app.files_of(&ws).is_empty(), "{:?}", app.files_of(&ws));
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
    // The app is still fine afterwards.
    upload_one(&ada, "ok.png", art::png(6)).await;
}

async fn thumbnails_stand_upright_and_carry_no_exif(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let sideways = art::sideways_jpeg_with_gps();
    assert!(sideways.windows(4).any(|w| w == b"Exif"));
    let id = upload_one(&ada, "sideways.jpg", sideways.clone()).await;
    for size in ["large", "thumb"] {
        let page = ada.get(&format!("/media/{id}/{size}")).await;
        let decoded = image::load_from_memory(&page.bytes).expect("jpeg");
        assert_eq!((decoded.width(), decoded.height()), (100, 200), "{size} must be turned upright");
        assert!(!page.bytes.windows(4).any(|w| w == b"Exif"), "{size} must carry no EXIF");
    }
    let detail = ada.get(&format!("/images/{id}")).await;
    assert!(detail.text("figcaption").contains("100 × 200 px"));
    // The original is kept exactly as uploaded.
    assert_eq!(ada.get(&format!("/media/{id}/original")).await.bytes, sideways);
    // A transparent PNG gets a white, not black, background in its thumbnail.
    let id = upload_one(&ada, "glass.png", art::transparent_png(200)).await;
    let thumb = image::load_from_memory(&ada.get(&format!("/media/{id}/thumb")).await.bytes).expect("jpeg").to_rgb8();
    assert!(thumb.get_pixel(2, 2).0.iter().all(|c| *c > 240), "{:?}", thumb.get_pixel(2, 2));
}

async fn media_is_cached_privately_and_revalidates(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let id = upload_one(&ada, "heron.png", art::png(3)).await;
    let first = ada.get(&format!("/media/{id}/thumb")).await;
    assert!(first.header("cache-control").starts_with("private"));
    let etag = first.header("etag");
    assert!(!etag.is_empty());
    let again = ada.send(reqwest::Method::GET, &format!("/media/{id}/thumb"), None, &[("if-none-match", &etag)]).await;
    again.assert_status(304);
    ada.get(&format!("/media/{id}/huge")).await.assert_status(404);
    ada.get("/media/not-an-id/thumb").await.assert_status(404);
    app.client()
        .get(&format!("/media/{id}/thumb"))
        .await
        .assert_redirect(&format!("/login?next=%2Fmedia%2F{id}%2Fthumb"));
}

async fn an_upload_without_the_form_guards_is_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let form =
        reqwest::multipart::Form::new().part("files", reqwest::multipart::Part::bytes(art::png(1)).file_name("a.png"));
    let response = reqwest::Client::builder()
        .cookie_provider(ada.jar.clone())
        .build()
        .expect("client")
        .post(app.url("/images"))
        .multipart(form)
        .send()
        .await
        .expect("send");
    assert_eq!(response.status().as_u16(), 403);
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 0);
}

async fn the_gallery_searches_filters_and_pages(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let heron = upload_one(&ada, "Blue_heron.png", art::png(1)).await;
    let fox = upload_one(&ada, "red fox.png", art::png(2)).await;
    ada.get(&format!("/images/{fox}")).await;
    ada.post(
        &format!("/images/{fox}"),
        &[("title", "Red fox"), ("availability", "available"), ("tags", "Autumn, #Woodland")],
    )
    .await
    .assert_redirect(&format!("/images/{fox}"));

    let by_title = ada.get("/images?q=HERON").await;
    assert_eq!(by_title.attrs(".art-card input[name=ids]", "value"), vec![heron.clone()]);
    let by_tag_search = ada.get("/images?q=woodl").await;
    assert_eq!(by_tag_search.attrs(".art-card input[name=ids]", "value"), vec![fox.clone()]);
    let by_tag = ada.get("/images?tag=autumn").await;
    assert_eq!(by_tag.attrs(".art-card input[name=ids]", "value"), vec![fox.clone()]);
    let literal = ada.get("/images?q=%25").await;
    assert!(literal.attrs(".art-card input[name=ids]", "value").is_empty(), "% is a letter, not a wildcard");

    let all = ada.get("/images").await;
    assert_eq!(all.attrs(".art-card input[name=ids]", "value"), vec![fox.clone(), heron.clone()], "newest first");

    // 50 images make two pages: 48, then the rest.
    let files: Vec<(String, Vec<u8>)> = (10..58u8).map(|i| (format!("piece {i}.png"), art::png(i))).collect();
    let refs: Vec<(&str, Vec<u8>)> = files.iter().map(|(n, b)| (n.as_str(), b.clone())).collect();
    ada.upload("/images", &refs).await.assert_status(200);
    let first = ada.get("/images").await;
    assert_eq!(first.attrs(".art-card", "class").len(), 48);
    let next = first.attrs("#more a", "href").pop().expect("a next page");
    let second = ada.get(&next).await;
    assert_eq!(second.attrs(".art-card", "class").len(), 2);
    assert!(second.attrs("#more a", "href").is_empty());
    let fragment = ada.get(&format!("{next}&part=grid")).await;
    assert!(fragment.body.contains("hx-swap-oob=\"beforeend:#grid\""));
    assert_eq!(fragment.attrs(".art-card", "class").len(), 2);
}

async fn details_are_edited_and_validated(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let id = upload_one(&ada, "heron.png", art::png(1)).await;
    let page = ada.get(&format!("/images/{id}")).await;
    assert_eq!(page.attrs("#title", "value"), vec!["Heron"], "titled from the file name");
    let fields = [
        ("title", "Grey Heron at Dawn"),
        ("description", "Early light on the river."),
        ("medium", "Oil on linen"),
        ("dimensions", "24 × 36 in"),
        ("year", "2024"),
        ("price", "$1,200"),
        ("availability", "sold"),
        ("tags", "heron, river"),
        ("alt_text", "A grey heron standing in shallow water at sunrise"),
    ];
    ada.post(&format!("/images/{id}"), &fields).await.assert_redirect(&format!("/images/{id}"));
    let saved = ada.get(&format!("/images/{id}")).await;
    assert_eq!(saved.attrs("#medium", "value"), vec!["Oil on linen"]);
    assert_eq!(saved.attrs("#dimensions", "value"), vec!["24 × 36 in"]);
    assert_eq!(saved.attrs("#tags", "value"), vec!["heron, river"]);
    assert_eq!(saved.attrs("#availability option[selected]", "value"), vec!["sold"]);
    assert_eq!(saved.attrs(".detail-preview img", "alt"), vec!["A grey heron standing in shallow water at sunrise"]);

    for (field, value, error) in [
        ("year", "next year", "#year-error"),
        ("title", "  ", "#title-error"),
        ("availability", "stolen", "#availability-error"),
    ] {
        let mut bad: Vec<(&str, &str)> = fields.iter().filter(|(k, _)| *k != field).copied().collect();
        bad.push((field, value));
        let page = ada.post(&format!("/images/{id}"), &bad).await;
        page.assert_status(422);
        assert!(!page.text(error).is_empty());
    }
    let unchanged = ada.get(&format!("/images/{id}")).await;
    assert_eq!(unchanged.attrs("#title", "value"), vec!["Grey Heron at Dawn"]);
}

async fn deleting_an_image_removes_its_files(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let id = upload_one(&ada, "heron.png", art::png(1)).await;
    let keep = upload_one(&ada, "fox.png", art::png(2)).await;
    assert_eq!(app.files_of(&ws).len(), 6);
    ada.get(&format!("/images/{id}")).await;
    ada.post(&format!("/images/{id}/delete"), &[]).await.assert_redirect("/images");
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
    let files = app.files_of(&ws);
    assert_eq!(files.len(), 3);
    assert!(files.iter().all(|f| f.contains(&keep)), "{files:?}");
    ada.get(&format!("/images/{id}")).await.assert_status(404);
    ada.get(&format!("/media/{id}/thumb")).await.assert_status(404);
    assert_eq!(app.count("SELECT image_count FROM workspace_usage").await, 1);
}

async fn bulk_actions_tag_collect_and_delete(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let a = upload_one(&ada, "a.png", art::png(1)).await;
    let b = upload_one(&ada, "b.png", art::png(2)).await;
    let c = upload_one(&ada, "c.png", art::png(3)).await;
    ada.get("/collections").await;
    ada.post("/collections", &[("name", "Birds")]).await;
    let library = ada.get("/images").await;
    let collection = library.attrs("#bulk-collection option", "value").pop().expect("a collection");

    ada.post("/images/bulk", &[("action", "tag"), ("tags", "Spring"), ("ids", &a), ("ids", &b)])
        .await
        .assert_redirect("/images");
    assert_eq!(app.count("SELECT COUNT(*) FROM image_tags WHERE tag = 'spring'").await, 2);
    ada.post("/images/bulk", &[("action", "collect"), ("collection_id", &collection), ("ids", &a), ("ids", &c)])
        .await
        .assert_redirect("/images");
    assert_eq!(app.count("SELECT COUNT(*) FROM collection_images").await, 2);

    let confirm = ada.post("/images/bulk", &[("action", "delete"), ("ids", &a), ("ids", &b)]).await;
    confirm.assert_status(200);
    assert!(confirm.text("h1").contains("Delete 2 images"));
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 3, "nothing is deleted before the confirmation");
    ada.post("/images/bulk", &[("action", "delete"), ("confirm", "yes"), ("ids", &a), ("ids", &b)])
        .await
        .assert_redirect("/images");
    assert_eq!(app.count("SELECT COUNT(*) FROM images").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM collection_images").await, 1);
    ada.post("/images/bulk", &[("action", "tag"), ("tags", "x")]).await.assert_status(400);
}

async fn the_gallery_lists_its_tags_collections_and_piece_count(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let bob = app.signed_up("Bob", "bob@example.com").await;
    let theirs = upload_one(&bob, "z.png", art::png(9)).await;
    bob.get("/collections").await;
    bob.post("/collections", &[("name", "Bob's own")]).await;
    bob.get("/images").await;
    bob.post("/images/bulk", &[("action", "tag"), ("tags", "private"), ("ids", &theirs)]).await;

    let ada = app.signed_up("Ada", "ada@example.com").await;
    let empty = ada.get("/images").await;
    assert!(empty.text("#piece-count").starts_with("0 pieces"), "{}", empty.text("#piece-count"));
    assert_eq!(empty.texts("#filter-tag option"), vec!["Any tag"]);
    let a = upload_one(&ada, "a.png", art::png(1)).await;
    let b = upload_one(&ada, "b.png", art::png(2)).await;
    upload_one(&ada, "c.png", art::png(3)).await;
    for name in ["birds", "Autumn", "Zebras"] {
        ada.get("/collections").await;
        ada.post("/collections", &[("name", name)]).await;
    }
    ada.get("/images").await;
    ada.post("/images/bulk", &[("action", "tag"), ("tags", "spring, blue"), ("ids", &a), ("ids", &b)]).await;
    ada.get("/images").await;
    ada.post("/images/bulk", &[("action", "tag"), ("tags", "abstract"), ("ids", &a)]).await;

    let library = ada.get("/images").await;
    assert!(library.text("#piece-count").starts_with("3 pieces"), "{}", library.text("#piece-count"));
    assert_eq!(library.texts("#filter-tag option"), vec!["Any tag", "abstract (1)", "blue (2)", "spring (2)"]);
    assert_eq!(library.texts("#filter-collection option"), vec!["Any collection", "Autumn", "birds", "Zebras"]);
}

async fn a_viewer_sees_the_library_but_changes_nothing(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let studio = ada.guards().page_workspace;
    let id = upload_one(&ada, "heron.png", art::png(1)).await;
    let vic = app.signed_up("Vic", "vic@example.com").await;
    app.add_member(&studio, "vic@example.com", "viewer").await;
    vic.post("/workspaces/switch", &[("workspace_id", &studio), ("back", "/images")]).await;
    let library = vic.get("/images").await;
    library.assert_status(200);
    assert!(library.attrs("form[data-uploader]", "action").is_empty(), "no upload form for a viewer");
    assert!(library.attrs("input[name=ids]", "value").is_empty(), "no bulk selection for a viewer");
    vic.get(&format!("/media/{id}/thumb")).await.assert_status(200);
    vic.upload("/images", &[("x.png", art::png(9))]).await.assert_status(403);
    vic.post(&format!("/images/{id}"), &[("title", "Mine"), ("availability", "sold")]).await.assert_status(403);
    vic.post(&format!("/images/{id}/delete"), &[]).await.assert_status(403);
    assert_eq!(app.count("SELECT COUNT(*) FROM images WHERE title = 'Heron'").await, 1);
}

async fn the_sweeper_removes_leftovers(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let ada = app.signed_up("Ada", "ada@example.com").await;
    let ws = ada.guards().page_workspace;
    let id = upload_one(&ada, "heron.png", art::png(1)).await;
    let root = app.uploads().join(&ws);
    // A crashed upload's temporary file: in the store's folder on disk, in
    // the data folder with S3 (temporary files never leave the machine).
    let tmp = if app.on_s3() { app.dir.path().join("data/storage-tmp").join(&ws) } else { root.join("tmp") };
    std::fs::create_dir_all(&tmp).expect("tmp");
    std::fs::write(tmp.join("crashed.part"), b"half").expect("write");
    let orphan = uuid::Uuid::now_v7();
    std::fs::write(root.join(format!("originals/{orphan}.png")), b"no row").expect("write");
    let gone_id = uuid::Uuid::now_v7().to_string();
    let gone_workspace = app.uploads().join(&gone_id);
    std::fs::create_dir_all(gone_workspace.join("thumbs")).expect("dir");
    std::fs::write(gone_workspace.join(format!("thumbs/{orphan}.jpg")), b"left behind").expect("write");

    // Within the grace period nothing goes: another instance may be mid-upload.
    let swept = easel::storage::sweeper::sweep(&app.databases, &app.storage, std::time::Duration::from_secs(3600))
        .await
        .expect("sweep");
    assert_eq!(swept, easel::storage::sweeper::Swept::default());
    assert_eq!(app.files_of(&ws).len(), 5);
    let swept =
        easel::storage::sweeper::sweep(&app.databases, &app.storage, std::time::Duration::ZERO).await.expect("sweep");
    assert_eq!((swept.temporary, swept.orphans, swept.workspaces), (1, 1, 1));
    let files = app.files_of(&ws);
    assert_eq!(files.len(), 3);
    assert!(files.iter().all(|f| f.contains(&id)));
    let left: Vec<_> = app.storage.list(Some(&gone_id)).try_collect().await.expect("list");
    assert!(left.is_empty(), "{left:?}");
    // On disk the folder goes too (an S3 store has no folders).
    assert!(app.on_s3() || !gone_workspace.exists());
}
