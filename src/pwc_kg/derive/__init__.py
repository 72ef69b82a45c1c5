"""The derived graph: what a build computes from the source graphs (metric directions, leaderboards)."""
