// comments and notifications (issue 17)
