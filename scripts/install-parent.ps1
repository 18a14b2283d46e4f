<#
  Himaya for a family computer (Windows), for the account that runs it,
  without administrator rights:
    - a private Python environment in %LOCALAPPDATA%\himaya-app\venv;
    - a `himaya` command (himaya.cmd in %LOCALAPPDATA%\himaya-app\bin, added to
      this account's PATH);
    - the companion started now and at every login (himaya autostart enable).

  Usage, in PowerShell, from the project folder:
    powershell -ExecutionPolicy Bypass -File scripts\install-parent.ps1
  Option: -NoStart (do not start the companion now; it still starts at login)
  Needs: Python 3.10 or newer from python.org (the "py" launcher), and access to PyPI.
#>
param([switch]$NoStart)

$ErrorActionPreference = 'Stop'

function Fail([string]$Message) {
    Write-Host "install-parent: $Message" -ForegroundColor Red
    exit 2
}

$Src = Split-Path -Parent $PSScriptRoot
$App = Join-Path $env:LOCALAPPDATA 'himaya-app'
$Venv = Join-Path $App 'venv'
$Bin = Join-Path $App 'bin'
$Himaya = Join-Path $Venv 'Scripts\himaya.exe'

if (-not (Test-Path (Join-Path $Src 'setup.cfg'))) { Fail 'run this script from the Himaya project folder.' }

$Python = $null
foreach ($candidate in @(@('py', '-3'), @('python'))) {
    $exe = $candidate[0]
    if (Get-Command $exe -ErrorAction SilentlyContinue) {
        $probe = @($candidate | Select-Object -Skip 1) + @('-c', 'import sys; sys.exit(sys.version_info < (3, 10))')
        & $exe @probe
        if ($LASTEXITCODE -eq 0) { $Python = $candidate; break }
    }
}
if ($null -eq $Python) {
    Fail 'Python 3.10 or newer is needed: install it from https://www.python.org (tick "Add python.exe to PATH"), then run this again.'
}
$PyExe = $Python[0]
$PyArgs = @($Python | Select-Object -Skip 1)

Write-Host "1/4 Private Python environment: $Venv"
New-Item -ItemType Directory -Force -Path $App | Out-Null
& $PyExe @PyArgs -m venv $Venv
if ($LASTEXITCODE -ne 0) { Fail 'the Python environment could not be made.' }

Write-Host '2/4 Installing Himaya in it (a few minutes the first time)'
$Work = Join-Path ([System.IO.Path]::GetTempPath()) ('himaya-' + [guid]::NewGuid())
New-Item -ItemType Directory -Path $Work | Out-Null
try {
    foreach ($part in @('setup.cfg', 'pyproject.toml', 'README.md', 'LICENSE', 'server')) {
        Copy-Item -Recurse -Path (Join-Path $Src $part) -Destination $Work
    }
    & (Join-Path $Venv 'Scripts\python.exe') -m pip install --quiet --disable-pip-version-check $Work
    if ($LASTEXITCODE -ne 0) { Fail 'installing failed (is PyPI reachable?). Run this again later.' }
} finally {
    Remove-Item -Recurse -Force $Work -ErrorAction SilentlyContinue
}

Write-Host "3/4 The himaya command: $Bin\himaya.cmd"
New-Item -ItemType Directory -Force -Path $Bin | Out-Null
$Shim = "@echo off`r`n`"$Himaya`" %*`r`n"
Set-Content -Path (Join-Path $Bin 'himaya.cmd') -Value $Shim -Encoding ASCII -NoNewline
$UserPath = [Environment]::GetEnvironmentVariable('Path', 'User')
if ($null -eq $UserPath) { $UserPath = '' }
if (-not (($UserPath -split ';') -contains $Bin)) {
    $NewPath = (($UserPath.TrimEnd(';')), $Bin) -join ';'
    [Environment]::SetEnvironmentVariable('Path', $NewPath.TrimStart(';'), 'User')
}

Write-Host '4/4 Starting at login'
& $Himaya autostart enable
if (-not $NoStart) {
    Start-Process -FilePath $Himaya -ArgumentList 'serve' -WindowStyle Minimized
    Start-Sleep -Seconds 3
}

Write-Host ''
Write-Host "Himaya is installed for $env:USERNAME."
if (-not $NoStart) {
    & $Himaya status | Out-Null
    if ($LASTEXITCODE -ne 0) {
        $Port = (& $Himaya config get port)
        Write-Host "BUT the program did not start: port $Port is taken, most likely by Himaya running for another" -ForegroundColor Red
        Write-Host "account of this computer. Give this account its own port, then sign out and back in, and type"
        Write-Host "that port in the extension's options page:    himaya config set port $([int]$Port + 1)"
    }
    & $Himaya pair
    Write-Host "Type this code in the extension's options page (docs\INSTALL.md, section 4). It lasts 10 minutes,"
    Write-Host 'and each new code cancels the one before. For a new one, in a new window:  himaya pair'
} else {
    Write-Host 'The program starts at your next sign-in. Then, in a new window:  himaya pair'
}
Write-Host 'To check, in a new PowerShell or Command Prompt window:  himaya status'
