"""RQ queues, job functions and the composition root that builds services for a job."""
