"""(in progress)"""


class FileStore:
    def __init__(self, root):
        self.root = root
