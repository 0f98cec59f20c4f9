use futures_util::TryStreamExt;

use super::*;

#[test]
fn a_dropped_temp_file_leaves_nothing() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = Storage::new(dir.path());
    let mut temp = storage.temp_file(Uuid::now_v7()).expect("temp");
    temp.write_all(b"half an image").expect("write");
    let path = temp.path().to_owned();
    assert!(path.exists());
    drop(temp);
    assert!(!path.exists());
}

#[tokio::test]
async fn a_put_file_lands_under_its_key_on_disk() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = Storage::new(dir.path());
    let ws = Uuid::now_v7();
    let mut temp = storage.temp_file(ws).expect("temp");
    temp.write_all(b"pixels").expect("write");
    let key = image_key(ws, Folder::Thumbs, "a.jpg");
    storage.put_temp(temp, &key).await.expect("put");
    let on_disk = dir.path().join(ws.to_string()).join("thumbs/a.jpg");
    assert_eq!(std::fs::read(&on_disk).expect("read"), b"pixels");
    assert_eq!(std::fs::read_dir(dir.path().join(ws.to_string()).join("tmp")).expect("tmp").count(), 0);
    assert_eq!(storage.read(&key).await.expect("read").as_deref(), Some(&b"pixels"[..]));
    let listed: Vec<Listed> = storage.list(Some(&ws.to_string())).try_collect().await.expect("list");
    assert_eq!(listed.iter().map(|l| (l.key.as_str(), l.size)).collect::<Vec<_>>(), [(key.as_str(), 6)]);
    storage.delete(std::slice::from_ref(&key)).await;
    assert!(!on_disk.exists());
    assert!(storage.get(&key).await.expect("get").is_none());
    storage.delete_workspace(ws).await.expect("delete workspace");
    assert!(!dir.path().join(ws.to_string()).exists());
}

#[tokio::test]
async fn small_and_large_objects_read_back_whole() {
    let dir = tempfile::tempdir().expect("dir");
    let storage = Storage::new(dir.path());
    let ws = Uuid::now_v7();
    // Either side of the size read in one go, and the size itself.
    for (name, size) in [("small", 10_000), ("edge", READ_WHOLE_UP_TO as usize), ("large", 700_000)] {
        let bytes: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
        let key = image_key(ws, Folder::Large, name);
        storage.put_bytes(&key, bytes.clone()).await.expect("put");
        let object = storage.get(&key).await.expect("get").expect("found");
        assert_eq!(object.size, size as u64, "{name}");
        let chunks: Vec<Bytes> = object.bytes.try_collect().await.expect("stream");
        assert_eq!(chunks.concat(), bytes, "{name}");
        assert_eq!(chunks.len() == 1, size as u64 <= READ_WHOLE_UP_TO, "{name}: read whole only when small");
    }
}

#[test]
fn only_plain_keys_are_read_straight_from_disk() {
    let ws = Uuid::now_v7();
    let key = image_key(ws, Folder::Thumbs, &derived_name(ws));
    assert_eq!(disk::plain_path(&key), Some(Path::new(&key)));
    for odd in ["../secret", "a/../../b", "a//b", "a/./b", "/abs", "a b/c", "a/b\\c", ""] {
        assert_eq!(disk::plain_path(odd), None, "{odd:?}");
    }
}
