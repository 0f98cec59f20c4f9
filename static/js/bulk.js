// bulk
