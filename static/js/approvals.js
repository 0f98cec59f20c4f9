// approvals (issue 17)
