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
