// review links (issue 17)
