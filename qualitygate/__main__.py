from __future__ import annotations

from qualitygate.main import main

raise SystemExit(main())
