"""The journal in the shared folder, the merge of what it brings, and the watcher."""
