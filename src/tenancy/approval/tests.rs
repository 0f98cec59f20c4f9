//! The review steps, without a database.

use super::*;

fn someone(capacity: Option<Capacity>) -> Reviewer {
    Reviewer { user_id: None, name: "Ada".into(), ip: String::new(), via: Via::App, capacity }
}

#[test]
fn internal_then_client_takes_both_approvals_in_order() {
    let mode = Mode::InternalThenClient;
    let (team, client) = (someone(Some(Capacity::Team)), someone(Some(Capacity::Client)));
    let submitted = next(mode, Review::None, &someone(None), &Step::Submit).expect("submit");
    assert_eq!(submitted, Review::Internal);
    assert!(next(mode, submitted, &client, &Step::Approve).is_err(), "the client waits for the team");
    let halfway = next(mode, submitted, &team, &Step::Approve).expect("team");
    assert_eq!(halfway, Review::Client);
    assert!(next(mode, halfway, &team, &Step::Approve).is_err(), "the team cannot approve for the client");
    assert_eq!(next(mode, halfway, &client, &Step::Approve).expect("client"), Review::Approved);
}

#[test]
fn changes_need_a_comment_and_go_back_to_the_author() {
    let team = someone(Some(Capacity::Team));
    let empty = Step::RequestChanges { comment: "  ".into() };
    assert!(next(Mode::Internal, Review::Internal, &team, &empty).is_err());
    let said = Step::RequestChanges { comment: "Warmer crop".into() };
    assert_eq!(next(Mode::Internal, Review::Internal, &team, &said).expect("asked"), Review::ChangesRequested);
    assert_eq!(next(Mode::Internal, Review::ChangesRequested, &team, &Step::Submit).expect("again"), Review::Internal);
    assert!(next(Mode::Internal, Review::Approved, &team, &Step::Submit).is_err());
}

#[test]
fn only_approved_posts_are_sent_when_approval_is_on() {
    assert!(Mode::None.may_send(Review::None));
    for mode in [Mode::Internal, Mode::Client, Mode::InternalThenClient] {
        assert!(mode.may_send(Review::Approved));
        for review in [Review::None, Review::Internal, Review::Client, Review::ChangesRequested] {
            assert!(!mode.may_send(review), "{mode:?} {review:?}");
        }
    }
}
