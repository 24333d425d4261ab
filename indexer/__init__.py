"""The indexer: processo snapshots and movimentos from Kafka into Elasticsearch."""
