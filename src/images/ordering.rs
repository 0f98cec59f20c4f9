//! Artwork in a chosen order (a collection, a post's carousel): moving one
//! image a step, and checking a whole new order from drag and drop.

use uuid::Uuid;

use crate::error::{AppError, AppResult};

/// `order` with `image` moved one place `"up"` (earlier) or `"down"`.
pub fn step(mut order: Vec<Uuid>, image: Uuid, direction: &str) -> AppResult<Vec<Uuid>> {
    let at = order.iter().position(|i| *i == image).ok_or(AppError::NotFound)?;
    let to = match direction {
        "up" => at.saturating_sub(1),
        "down" => (at + 1).min(order.len() - 1),
        _ => return Err(AppError::bad_request("Move the image up or down.")),
    };
    order.swap(at, to);
    Ok(order)
}

/// A proposed order must hold exactly the images there are, each once.
pub fn check_same(current: &[Uuid], proposed: &[Uuid]) -> AppResult<()> {
    let (mut current, mut proposed) = (current.to_vec(), proposed.to_vec());
    current.sort();
    proposed.sort();
    if current == proposed {
        Ok(())
    } else {
        Err(AppError::bad_request("This changed meanwhile. Reload the page and try again."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_stop_at_the_ends() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(step(vec![a, b], b, "up").ok(), Some(vec![b, a]));
        assert_eq!(step(vec![a, b], a, "up").ok(), Some(vec![a, b]));
        assert_eq!(step(vec![a, b], b, "down").ok(), Some(vec![a, b]));
        assert!(step(vec![a, b], b, "sideways").is_err());
    }

    #[test]
    fn a_new_order_must_hold_the_same_images() {
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        assert!(check_same(&[a, b], &[b, a]).is_ok());
        assert!(check_same(&[a, b], &[a]).is_err());
        assert!(check_same(&[a], &[a, a]).is_err());
    }
}
