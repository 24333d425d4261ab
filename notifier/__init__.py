"""The notifier: one e-mail per new movimento to each subscriber of its processo."""
