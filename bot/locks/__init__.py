"""Conversation locks shared by replicas: the Redis ticket queue and the fencing of conversation writes."""
