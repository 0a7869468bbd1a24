"""The shipped phishing model artifact (phishing-model.json), written by bench/mail_train.py."""
