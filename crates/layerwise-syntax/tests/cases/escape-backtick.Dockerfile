# escape=`
FROM mcr.microsoft.com/windows/servercore
RUN powershell -Command `
    Write-Host C:\path\to\thing
COPY C:\src\ C:\dst\
ENV TRAILING value``
ENV NEXT x
