// crops
