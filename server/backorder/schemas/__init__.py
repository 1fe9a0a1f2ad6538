"""marshmallow schemas: the only place JSON is parsed or shaped. They check shape, never the database.

One module per noun; everything is re-exported here, so views write `schemas.ProductOut`.
"""

from .availability import *  # noqa: F403
from .base import *  # noqa: F403
from .catalog import *  # noqa: F403
from .orders import *  # noqa: F403
from .notifications import *  # noqa: F403
from .platforms import *  # noqa: F403
from .lists import *  # noqa: F403
from .reports import *  # noqa: F403
