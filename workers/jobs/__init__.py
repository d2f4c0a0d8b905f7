"""RQ job functions: ids in, one service call, exceptions propagate."""
